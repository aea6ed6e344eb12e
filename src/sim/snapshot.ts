// World snapshots by replay. The simulated world is deterministic (seeded random, virtual
// time, one scheduler queue), so the commands it was given and the virtual times they
// were given at are enough to build it again, identical. A snapshot is therefore a
// position in the backend's journal: cheap to take (no copy of the world, whose scheduler
// queue holds closures and whose XState actors hold their own state), and restored by
// replaying the journal up to it into a fresh world.
//
// WorldSnapshot is opaque to callers, so a real copy of the world state can replace the
// replay later without changing them.
import type { HostProfile, TraceOptions } from "../backend.js";
import type { LabCommand } from "../script/types.js";

interface Entry {
  cmd: LabCommand;
  /** Virtual time when the command was given (after time that passed between commands). */
  at: number;
  /**
   * The command ran traced (SimBackend.trace), with these options: tracing changes what the
   * world does around it (time let pass, a late wakeup), so the replay traces it too.
   */
  trace?: TraceOptions;
}

/** What a world is built from besides its commands. */
export interface WorldOrigin {
  profile: HostProfile;
  seed: number;
  timeLimitMs: number;
}

const SNAPSHOT = Symbol("WorldSnapshot");

/** A point in a simulated world's history; restore it with SimBackend.restore. */
export interface WorldSnapshot {
  readonly [SNAPSHOT]: SnapshotData;
  /** Virtual time of the world when the snapshot was taken (ms). */
  readonly now: number;
  /** Commands the world had run. */
  readonly commands: number;
}

interface SnapshotData {
  origin: WorldOrigin;
  /** The journal's entries; only the first `length` belong to this snapshot. */
  entries: readonly Entry[];
  length: number;
  now: number;
}

/**
 * The backend's record of what it did to its world. Entries are only ever appended to
 * one array; a restore starts a new array, so a snapshot can share the array it was
 * taken from and stay valid.
 */
export class Journal {
  private entries: Entry[] = [];
  /** A replay, or a traced command, is under way: what it runs is journalled already. */
  private quiet = false;

  constructor(readonly origin: WorldOrigin) {}

  /** A command starts at virtual time `at`. */
  begin(cmd: LabCommand, at: number): void {
    if (!this.quiet) this.entries.push({ cmd, at });
  }

  /** A traced command (one entry, its options included) runs within fn. */
  async traced<T>(
    cmd: LabCommand,
    at: number,
    trace: TraceOptions,
    fn: () => Promise<T>,
  ): Promise<T> {
    if (this.quiet) return fn();
    this.entries.push({ cmd, at, trace });
    this.quiet = true;
    try {
      return await fn();
    } finally {
      this.quiet = false;
    }
  }

  snapshot(now: number): WorldSnapshot {
    const data: SnapshotData = {
      origin: this.origin,
      entries: this.entries,
      length: this.entries.length,
      now,
    };
    return { [SNAPSHOT]: data, now, commands: data.length };
  }

  /**
   * Replays a snapshot: `advance(t)` lets virtual time pass up to t, `run` runs a command
   * as it ran (traced or not; the files it reads travel inside it, as read when the script
   * was loaded). Returns the journal to carry on with, holding the snapshot's entries.
   */
  static async replay(
    s: WorldSnapshot,
    advance: (t: number) => void,
    run: (cmd: LabCommand, trace: TraceOptions | undefined, journal: Journal) => Promise<void>,
  ): Promise<Journal> {
    const data = s[SNAPSHOT];
    const journal = new Journal(data.origin);
    const entries = data.entries.slice(0, data.length);
    journal.quiet = true;
    for (const e of entries) {
      advance(e.at);
      try {
        await run(e.cmd, e.trace, journal);
      } catch {
        // The command failed the same way when it first ran, and the world went on from
        // where it stopped: so does the replay.
      }
    }
    journal.quiet = false;
    advance(data.now);
    journal.entries = entries;
    return journal;
  }

  static originOf(s: WorldSnapshot): WorldOrigin {
    return s[SNAPSHOT].origin;
  }
}
