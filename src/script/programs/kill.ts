// `kill %N`: ends the script's background job N, a tcpdump capture, and prints what the
// capture printed (its packets on stdout; its "listening on" and counts on stderr). Jobs
// are numbered in the order the script started them, from 1, as a shell numbers them
// while none has ended. Only captures are ended this way; kill with a process id would
// need a pid, and the sandbox's are not the simulator's.
import type { ProgramSpec } from "./types.js";

/** A result both backends give alike (the shape of backend.ts's Answer). */
interface Answer {
  exit: number;
  stdout: string;
  stderr: string;
}

/** The job a `kill` line names, or undefined when the line is not `kill %N`. */
export function killedJob(args: readonly string[]): number | undefined {
  if (args.length !== 1) return undefined;
  const m = /^%([1-9]\d{0,3})$/.exec(args[0]!);
  return m ? Number(m[1]) : undefined;
}

/** What `kill %N` answers for a job that does not exist, or is not a capture. */
export function killRefusal(job: number, exists: boolean): Answer {
  return exists
    ? {
        exit: 2,
        stdout: "",
        stderr: `packetwalk: kill %${job}: job ${job} is not a tcpdump capture (kill ends only captures)\n`,
      }
    : { exit: 1, stdout: "", stderr: `kill: %${job}: no such job\n` };
}

/** kill in a namespace prefix: the job table is the script's shell's. */
export const KILL_IN_NETNS: Answer = {
  exit: 2,
  stdout: "",
  stderr: "packetwalk: kill %N is the script's own shell's: write it without a namespace prefix\n",
};

export const kill = {
  help: "kill %N",
  check(args) {
    if (killedJob(args) === undefined) {
      return "only `kill %N` is supported: it ends the script's background job N (a tcpdump capture) and prints what it captured";
    }
    return undefined;
  },
  kernel: { builtin: "kill" },
} satisfies ProgramSpec;
