// What packetwalk knows about one program a lab script may run: the registry's entry.
// Pure data and checks: the simulator's implementation is keyed by the program's name
// in src/sim (a Record the compiler checks is complete), never imported from here.

export interface ProgramSpec {
  /** How the unknown-command hint lists it ("cat /proc/sys/net/..."). */
  readonly help: string;
  /** Why these arguments are refused before anything runs, or undefined when they may run. */
  readonly check?: (args: readonly string[], background: boolean) => string | undefined;
  /** May run in the background (`... &`). */
  readonly background?: boolean;
  /** May write `> /proc/sys/net/...` (echo): the one redirection packetwalk performs itself. */
  readonly redirect?: boolean;
  /**
   * Indexes in the program's arguments of the files it reads (iptables-restore's rules
   * file): read beside the script when it is loaded (load.ts), never by a backend.
   */
  readonly fileArgs?: (args: readonly string[]) => number[];
  /** The program's own words for a file it cannot open (both backends print them). */
  readonly cannotOpen?: (name: string, error: string) => string;
  /** How the kernel backend runs it; absent: spawned in the sandbox with its argv. */
  readonly kernel?: KernelPolicy;
}

export interface KernelPolicy {
  /** Without a namespace prefix, packetwalk prints the words itself: nothing to learn from a spawn. */
  readonly printsArgs?: boolean;
  /** The file arguments leave the argv and the first one's content is fed on stdin. */
  readonly filesOnStdin?: boolean;
  /** A limit for this run longer than the usual per-command one (ms), e.g. sleep's. */
  readonly timeoutMs?: (args: readonly string[]) => number;
  /**
   * The kernel backend's last check (src/real/guard.ts), for commands that did not come
   * through the parser: a refusal (the whole stderr line), or undefined.
   */
  readonly guard?: (args: readonly string[]) => string | undefined;
  /** A daemon the kernel backend starts in the sandbox before the first such line (docker's). */
  readonly daemon?: "dockerd";
  /** In the background, a capture whose output `kill %N` prints (tcpdump's): kept, not dropped. */
  readonly capture?: boolean;
  /** Not spawned: the script's shell does it (kill %N, on the backend's job table). */
  readonly builtin?: "kill";
}
