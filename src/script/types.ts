// A lab script line after parsing: what to run, where, and how it was written.

export interface LabCommand {
  /** 1-based line number in the script file (a continued line's first line). */
  line: number;
  /**
   * The command as it runs, as text: the line as written (trimmed), less a pasted `$ `
   * prompt or `sudo`; for a line that expands into several commands, this one's own text.
   */
  text: string;
  /** Full argument vector as a shell would pass it, prefixes included. */
  argv: string[];
  /** `... &`: a background job that lives until the script ends. */
  background: boolean;
  /** `echo VALUE > /proc/sys/...`: the file written by packetwalk itself. */
  redirect?: string;
  /**
   * Namespace the program runs in, from an `ip netns exec NS` or `nsenter --net=...`
   * prefix; undefined means the script's root namespace.
   */
  netns?: string;
  /** The program after any prefixes (`ip`, `ping`, `echo`, ...). */
  program: string;
  /** The program's own arguments. */
  args: string[];
  /** Where the command came from: its script line and its place in that line's expansion. */
  provenance: Provenance;
  /**
   * The files the program reads (the registry's fileArgs: iptables-restore's rules file),
   * read when the script was loaded (load.ts); undefined when it was never loaded.
   */
  files?: LabFile[];
  /**
   * `nsenter -t PID -n`: the namespace of process PID (`netns` stays undefined). Known
   * only once a `$(...)` gave the PID, when the line runs.
   */
  netnsOfPid?: number;
  /** A line with `$(...)`: finished when it runs (run-substituted.ts). */
  substitution?: Substitution;
}

/**
 * A command's origin. A script line may expand into several commands (expand.ts); each
 * keeps the line it came from and its place among them (step 1 of 1 for a plain line).
 */
export interface Provenance {
  /** 1-based line number in the script (a continued line's first line). */
  line: number;
  /** The script line as written (continuation lines joined, trimmed). */
  text: string;
  /** 1-based position of this command in the line's expansion. */
  step: number;
  /** How many commands the line expanded into. */
  of: number;
  /** The expander that rewrote the line ("docker"); absent for a line that runs as written. */
  expandedBy?: string;
}

/** A file named on a line, as it was found when the script was loaded. */
export type LabFile = {
  /** Index in the command's args. */
  arg: number;
  /** The name as written on the line. */
  name: string;
} & ({ content: string } | { error: string /* strerror's text: "No such file or directory" */ });

export interface LabComment {
  line: number;
  /** The comment without its leading `#` and one space. */
  text: string;
}

export interface LabScript {
  file: string;
  commands: LabCommand[];
  /** Comment lines: a lesson's narration. */
  comments: LabComment[];
}

/** A `$(...)` span of a line: where it is and the command inside. */
export interface SubstitutionSpan {
  start: number;
  /** Just past the closing parenthesis. */
  end: number;
  inner: string;
}

/** What the parser keeps of a line with substitutions, to finish it when it runs. */
export interface Substitution {
  /** The line as written, less prompt and sudo. */
  text: string;
  spans: SubstitutionSpan[];
  /** The command of each span, parsed. */
  inner: LabCommand[];
  /** The script's file, for errors. */
  file: string;
}
