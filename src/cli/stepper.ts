// `packetwalk walk --step`: a walk one hop at a time, the learner setting the pace.
// Where the learner is and where a key leads is the pure machine of src/walk/stepper-machine.ts;
// this is its terminal adapter: keys in, events to the machine, its position rendered out.
// On a terminal it reads single keys (raw mode, always restored); from a pipe or a test it
// reads lines, each line's first character being the key, so the same loop serves both.
import { StringDecoder } from "node:string_decoder";
import { createActor, type Actor } from "xstate";
import {
  flatPosition,
  hopsPerPacket,
  positionOf,
  positionText,
  stepperMachine,
  type StepperContext,
  type StepperEvent,
} from "../walk/stepper-machine.js";

/** One hop to reveal: its lines, under its packet's title (render.ts's WalkHop fits). */
export interface StepperHop {
  /** The packet it belongs to (WalkHop.packet); without it, hops group by title. */
  packet?: number;
  title: string;
  lines: readonly string[];
}

export interface StepperIO {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
}

export type StepOutcome = "done" | "quit";

export const STEP_HELP =
  "keys: Enter or space: next hop   n: next packet   b: back one hop   p: previous packet   q: quit";

type Action = "next" | "packet" | "back" | "prevPacket" | "quit" | "other";

const EVENTS: Record<Exclude<Action, "other">, StepperEvent> = {
  next: { type: "NEXT_HOP" },
  packet: { type: "NEXT_PACKET" },
  back: { type: "PREV" },
  prevPacket: { type: "PREV_PACKET" },
  quit: { type: "QUIT" },
};

const ESC = "\u001b";
const CTRL_C = "\u0003";
const CTRL_D = "\u0004";

/** Arrow keys arrive as one escape sequence; down/right go on, up/left go back. */
const SEQUENCES: Record<string, Action> = {
  [`${ESC}[B`]: "next",
  [`${ESC}[C`]: "next",
  [`${ESC}[A`]: "back",
  [`${ESC}[D`]: "back",
};

export function actionOf(key: string | null): Action {
  if (key === null) return "quit"; // end of input: nobody is left to press a key
  const seq = SEQUENCES[key];
  if (seq) return seq;
  const k = key.toLowerCase();
  if (k === "\r" || k === "\n" || k === " " || k === "j") return "next";
  if (k === "n") return "packet";
  if (k === "b" || k === "k") return "back";
  if (k === "p") return "prevPacket";
  if (k === "q" || k === CTRL_C || k === CTRL_D || k === ESC) return "quit";
  return "other";
}

/**
 * Shows hops[0], then one hop per key until the last hop is passed ("done") or the
 * learner quits ("quit": q, Ctrl-C, end of input). With no hops it is done at once.
 */
export async function stepThrough(
  hops: readonly StepperHop[],
  io: StepperIO,
): Promise<StepOutcome> {
  const stepper = createActor(stepperMachine, {
    input: { hopsPerPacket: hopsPerPacket(hops, (h) => h.packet ?? h.title) },
  }).start();
  if (stepper.getSnapshot().status === "done") return "done";
  const raw = Boolean(io.input.isTTY && io.input.setRawMode);
  const keys = new KeyReader(io.input, raw);
  try {
    if (raw) io.input.setRawMode?.(true);
    return await loop(hops, stepper, keys, io.output, raw);
  } finally {
    // Whatever happened, leave the terminal as we found it.
    if (raw) io.input.setRawMode?.(false);
    keys.close();
  }
}

async function loop(
  hops: readonly StepperHop[],
  stepper: Actor<typeof stepperMachine>,
  keys: KeyReader,
  out: NodeJS.WritableStream,
  raw: boolean,
): Promise<StepOutcome> {
  const write = (s: string): void => {
    out.write(s);
  };
  write(`${STEP_HELP}\n`);
  let title = render(stepper.getSnapshot().context, hops, undefined, write);
  for (;;) {
    const position = positionText(positionOf(stepper.getSnapshot().context));
    // On a terminal the prompt is erased once answered, so the screen keeps only hops.
    write(raw ? `[${position}] ` : `[${position}]\n`);
    const action = actionOf(await keys.next());
    if (raw) write(`\r${ESC}[2K`);
    if (action === "other") {
      write(`${STEP_HELP}\n`);
      continue;
    }
    stepper.send(EVENTS[action]);
    const snap = stepper.getSnapshot();
    if (snap.status === "done") return snap.value as StepOutcome;
    title = render(snap.context, hops, title, write);
  }
}

/** What the machine's last move shows; returns the packet title now on screen. */
function render(
  ctx: StepperContext,
  hops: readonly StepperHop[],
  shownTitle: string | undefined,
  write: (s: string) => void,
): string | undefined {
  const { index } = flatPosition(ctx);
  if (ctx.moved === "first") {
    write("-- this is the first hop --\n");
    return shownTitle;
  }
  if (ctx.moved === "back") return showAgain(hops, index, positionText(positionOf(ctx)), write);
  return showForward(hops, index, shownTitle, write);
}

/** The next hop, under its packet's title when the packet changes. */
function showForward(
  hops: readonly StepperHop[],
  at: number,
  shownTitle: string | undefined,
  write: (s: string) => void,
): string {
  const hop = hops[at]!;
  if (hop.title !== shownTitle) write(`\n${hop.title}\n`);
  write(hop.lines.map((l) => `${l}\n`).join(""));
  return hop.title;
}

/** A hop shown again after going back: a separator with its position, then title and lines. */
function showAgain(
  hops: readonly StepperHop[],
  at: number,
  position: string,
  write: (s: string) => void,
): string {
  const hop = hops[at]!;
  write(`-- back to ${position} --\n${hop.title}\n`);
  write(hop.lines.map((l) => `${l}\n`).join(""));
  return hop.title;
}

/** Keys from the input, one at a time; null once the input has ended. */
class KeyReader {
  private readonly queue: (string | null)[] = [];
  private waiting:
    { resolve: (k: string | null) => void; reject: (e: unknown) => void } | undefined;
  private failure: { error: unknown } | undefined;
  private ended = false;
  private line = "";
  private readonly decoder = new StringDecoder("utf8");

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly raw: boolean,
  ) {
    input.on("data", this.onData);
    input.on("end", this.onEnd);
    input.on("close", this.onEnd);
    input.on("error", this.onError);
    input.resume();
  }

  next(): Promise<string | null> {
    if (this.queue.length > 0) return Promise.resolve(this.queue.shift() ?? null);
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  close(): void {
    this.input.removeListener("data", this.onData);
    this.input.removeListener("end", this.onEnd);
    this.input.removeListener("close", this.onEnd);
    this.input.removeListener("error", this.onError);
    // Paused again, stdin no longer keeps the process alive.
    this.input.pause();
  }

  private push(key: string | null): void {
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve(key);
    } else this.queue.push(key);
  }

  private readonly onData = (chunk: Buffer | string): void => {
    const text = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    if (this.raw) for (const k of rawKeys(text)) this.push(k);
    else this.onText(text);
  };

  /** Line mode: each line's first character is the key, an empty line is Enter. */
  private onText(text: string): void {
    this.line += text;
    for (let nl = this.line.indexOf("\n"); nl >= 0; nl = this.line.indexOf("\n")) {
      const l = this.line.slice(0, nl).replace(/\r$/, "");
      this.line = this.line.slice(nl + 1);
      this.push(l === "" ? "\n" : l.charAt(0));
    }
  }

  private readonly onEnd = (): void => {
    if (this.ended) return;
    this.ended = true;
    // A last line without its newline still counts.
    if (!this.raw && this.line !== "") this.push(this.line.charAt(0));
    this.line = "";
    this.push(null);
  };

  private readonly onError = (error: unknown): void => {
    this.failure = { error };
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(error);
  };
}

/** Raw mode: an escape sequence (arrow key) is one key, anything else one key a character. */
function rawKeys(text: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < text.length;) {
    const key = text.startsWith(`${ESC}[`, i)
      ? text.slice(i, sequenceEnd(text, i + 2))
      : text.charAt(i);
    keys.push(key);
    i += key.length;
  }
  return keys;
}

/** A CSI sequence ends with its first letter or `~` (ECMA-48 final byte, as terminals send). */
function sequenceEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (/[A-Za-z~]/.test(text.charAt(i))) return i + 1;
  return text.length;
}
