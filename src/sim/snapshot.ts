// World snapshots by replay. The simulated world is deterministic (seeded random, virtual
// time, one scheduler queue), so the commands it was given and the virtual times they
// were given at are enough to build it again, identical. A snapshot is therefore a
// position in the backend's journal: cheap to take (no copy of the world, whose scheduler
// queue holds closures and whose XState actors hold their own state), and restored by
// replaying the journal up to it into a fresh world.
//
// WorldSnapshot is opaque to callers, so a real copy of the world state can replace the
// replay later without changing them.
import type { HostProfile } from "../backend.js";
import type { LabCommand } from "../script/types.js";

/** What reading a file beside the script gave (the text, or the error code). */
export type FileRead = { text: string } | { code: string | undefined };

interface Entry {
  cmd: LabCommand;
  /** Virtual time when the command was given (after time that passed between commands). */
  at: number;
  /** Files the command read, in order: the replay gets the same bytes back. */
  reads: FileRead[];
}

/** What a world is built from besides its commands. */
export interface WorldOrigin {
  profile: HostProfile;
  seed: number;
  timeLimitMs: number;
  scriptDir: string | undefined;
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
  private current: Entry | undefined;
  /** While replaying: the recorded reads of the command being replayed. */
  private replayReads: FileRead[] | undefined;

  constructor(readonly origin: WorldOrigin) {}

  /** A command starts at virtual time `at`. */
  begin(cmd: LabCommand, at: number): void {
    if (this.replayReads) return;
    this.current = { cmd, at, reads: [] };
    this.entries.push(this.current);
  }

  /** Reads a file through the journal: recorded when live, played back when replaying. */
  read(read: () => FileRead): FileRead {
    if (this.replayReads) {
      const r = this.replayReads.shift();
      if (!r) throw new Error("packetwalk: snapshot replay read a file the run did not read");
      return r;
    }
    const r = read();
    this.current?.reads.push(r);
    return r;
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
   * Replays a snapshot: `advance(t)` lets virtual time pass up to t, `run(cmd)` runs a
   * command (its file reads answered from the record). Returns the journal to carry on
   * with, holding the snapshot's entries.
   */
  static replay(
    s: WorldSnapshot,
    advance: (t: number) => void,
    run: (cmd: LabCommand, journal: Journal) => void,
  ): Journal {
    const data = s[SNAPSHOT];
    const journal = new Journal(data.origin);
    const entries = data.entries.slice(0, data.length);
    for (const e of entries) {
      advance(e.at);
      journal.replayReads = [...e.reads];
      try {
        run(e.cmd, journal);
      } catch {
        // The command failed the same way when it first ran, and the world went on from
        // where it stopped: so does the replay.
      } finally {
        journal.replayReads = undefined;
      }
    }
    advance(data.now);
    journal.entries = entries;
    return journal;
  }

  static originOf(s: WorldSnapshot): WorldOrigin {
    return s[SNAPSHOT].origin;
  }
}
