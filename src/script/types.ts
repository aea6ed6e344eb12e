// A lab script line after parsing: what to run, where, and how it was written.

export interface LabCommand {
  /** 1-based line number in the script file. */
  line: number;
  /** The line as written (trimmed). */
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
}

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
