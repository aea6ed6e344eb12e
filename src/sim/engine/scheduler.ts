// The discrete-event scheduler: one queue ordered by (virtual time, sequence number) owns
// every frame on a wire and every timer, so a 3-second ARP failure costs microseconds and
// events happen in the same order on every run. It is also the Clock of the XState actors.

/** What a delivery carries, for the walk: a frame crossing a wire or a packet handed on. */
export interface DeliveryInfo {
  /**
   * wire: a frame leaves one device and arrives on another; up: a bridge passes a frame to
   * its own device; loopback: a packet loops back; because: work done on behalf of the
   * packet (an ARP reply to a request, an ARP request for a queued packet).
   */
  kind: "wire" | "up" | "loopback" | "because";
  /** The packet (IPv4 or ARP) the delivery carries. */
  payload: object;
  /** Namespaces as the script names them (ROOT_NS, "", for the root). */
  fromNs?: string;
  from?: string;
  toNs?: string;
  to?: string;
  /** Link-layer addresses of the frame. */
  srcMac?: string;
  dstMac?: string;
}

export interface ScheduledEvent {
  time: number;
  seq: number;
  label: string;
  fn: () => void;
  cancelled: boolean;
  info?: DeliveryInfo;
}

export interface DeliveredEvent {
  time: number;
  seq: number;
  label: string;
  info?: DeliveryInfo;
}

export class Scheduler {
  private heap: ScheduledEvent[] = [];
  /**
   * Zero-delay events (a frame on a wire, a flood to every port), in the order scheduled:
   * each is due now and comes after everything scheduled before it, so a queue keeps them
   * in (time, seq) order without the heap's log(n) per event. Events are taken from
   * whichever of the two holds the earliest (time, seq).
   */
  private fifo: ScheduledEvent[] = [];
  private fifoHead = 0;
  private seq = 0;
  private ids = new Map<number, ScheduledEvent>();
  /** Virtual time in milliseconds. */
  now = 0;
  /** Observers of each delivered event (the walk trace listens here). */
  private listeners: ((e: DeliveredEvent) => void)[] = [];
  private startListeners: ((e: DeliveredEvent) => void)[] = [];

  private scheduleListeners: ((info: DeliveryInfo) => void)[] = [];

  /** Observers told just before an event runs (the trace learns which packet is in hand). */
  onDeliverStart(fn: (e: DeliveredEvent) => void): void {
    this.startListeners.push(fn);
  }

  /** Observers told when a packet is put on a wire (the trace learns what made it). */
  onSchedule(fn: (info: DeliveryInfo) => void): void {
    this.scheduleListeners.push(fn);
  }

  onDeliver(fn: (e: DeliveredEvent) => void): () => void {
    this.listeners.push(fn);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== fn);
    };
  }

  /** Schedules fn after delay ms (0 = after everything already due now). */
  at(delay: number, label: string, fn: () => void, info?: DeliveryInfo): number {
    const ev: ScheduledEvent = {
      time: this.now + Math.max(0, delay),
      seq: this.seq++,
      label,
      fn,
      cancelled: false,
      info,
    };
    if (delay <= 0) this.fifo.push(ev);
    else this.push(ev);
    this.ids.set(ev.seq, ev);
    if (info) for (const l of this.scheduleListeners) l(info);
    return ev.seq;
  }

  cancel(id: number): void {
    const ev = this.ids.get(id);
    if (ev) {
      ev.cancelled = true;
      this.ids.delete(id);
    }
  }

  // XState's Clock interface: delayed transitions of the machines land in this queue.
  setTimeout(fn: (...args: unknown[]) => void, timeout: number): number {
    return this.at(timeout, "timer", fn);
  }

  clearTimeout(id: number): void {
    this.cancel(id);
  }

  /** Delivers every event due at or before `until`, then sets the clock to `until`. */
  runUntil(until: number, stop?: () => boolean): void {
    for (;;) {
      if (stop?.()) return;
      const top = this.peek();
      if (!top || top.time > until) break;
      this.take(top);
      if (top.cancelled) continue;
      this.ids.delete(top.seq);
      this.now = top.time;
      const delivered = { time: top.time, seq: top.seq, label: top.label, info: top.info };
      for (const l of this.startListeners) l(delivered);
      top.fn();
      for (const l of this.listeners) l(delivered);
    }
    if (!stop?.()) this.now = Math.max(this.now, until);
  }

  /** Runs until stop() holds or nothing is left before the limit; returns whether it stopped. */
  runWhile(limit: number, stop: () => boolean): boolean {
    for (;;) {
      if (stop()) return true;
      const top = this.peek();
      if (!top || top.time > limit) {
        this.now = Math.max(this.now, limit);
        return stop();
      }
      this.runUntil(top.time, stop);
    }
  }

  /** Delivers everything due now (zero-delay chains of frames). */
  settle(): void {
    this.runUntil(this.now);
  }

  /** Time of the next event still to run, if any (cancelled ones are skipped later). */
  nextTime(): number | undefined {
    return this.peek()?.time;
  }

  pending(): number {
    const queued = this.fifo.slice(this.fifoHead);
    return [...this.heap, ...queued].filter((e) => !e.cancelled).length;
  }

  /** The next event to run: the earlier of the queue's head and the heap's top. */
  private peek(): ScheduledEvent | undefined {
    const q = this.fifo[this.fifoHead];
    const h = this.heap[0];
    if (!q) return h;
    if (!h) return q;
    return less(q, h) ? q : h;
  }

  /** Removes `ev`, which peek() returned. */
  private take(ev: ScheduledEvent): void {
    if (ev !== this.fifo[this.fifoHead]) {
      this.pop();
      return;
    }
    this.fifoHead++;
    if (this.fifoHead === this.fifo.length) {
      this.fifo = [];
      this.fifoHead = 0;
    } else if (this.fifoHead >= 1024 && this.fifoHead * 2 >= this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }

  private push(ev: ScheduledEvent): void {
    const h = this.heap;
    h.push(ev);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (less(h[p]!, h[i]!)) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): ScheduledEvent | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

function less(a: ScheduledEvent, b: ScheduledEvent): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}
