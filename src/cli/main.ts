// The packetwalk command line.
// Each command's module is imported when that command runs (start-up: `--help` loads
// commander and nothing of the simulator, the kernel backend, docker or diagrams).
import { Command, CommanderError, Option } from "commander";
import { UserError } from "./user-error.js";
import { missingDashDash } from "./walk-args.js";
import { interruption, stdoutGone } from "./signals.js";

const write = (s: string): void => {
  if (!stdoutGone()) process.stdout.write(s);
};

// The options both `run` and `walk` take to set up their backends.
const profileOption = (): Option =>
  new Option(
    "--profile <name|file>",
    "host the simulator starts from: docker-host (default), plain, machine, or a JSON file",
  );
const seedOption = (): Option =>
  new Option("--seed <n>", "simulator seed for MACs and other random values").default("1");
const timeoutOption = (): Option =>
  new Option("--timeout <seconds>", "kernel backend: per-command timeout");

export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const program = new Command()
    .name("packetwalk")
    .description(
      "Learn how container networking really works on Linux: run lab scripts in a simulator that " +
        "explains every packet, and on the real kernel in a throwaway sandbox, side by side.",
    )
    .version("0.1.0")
    .exitOverride()
    .configureOutput({ writeOut: write, writeErr: (s) => process.stderr.write(s) });

  program
    .command("run")
    .description("run a lab script (one command a line) and print what each command printed")
    .argument(
      "<script>",
      "lab script file (see lessons/ and test/labs/), or - to read it from standard input",
    )
    .option("--sim", "run in the simulator (default; needs no root)")
    .option("--kernel", "run on the real kernel, in a throwaway rootless sandbox")
    .option("--compare", "run in both and show where they differ; exit 1 on any difference")
    .option("--json", "one JSON object per executed line (for programs)")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .option("-q, --quiet", "with --compare: print only the lines that differ")
    .option("--until <line>", "run the script up to and including this line (a command line)")
    .action(async (script: string, opts) => {
      const { runCommand } = await import("./run-command.js");
      code = await runCommand(script, opts, write);
    });

  program
    .command("walk")
    .description(
      "follow one probe (ping or nc -z) after a lab script set the world up: a one-line verdict, " +
        "then each namespace a packet passes (routes, ARP, bridges, netfilter, NAT, conntrack); " +
        "-v: every step and why",
    )
    .usage("[options] <script> -- <probe...>")
    .argument("<script>", "lab script that sets up the world")
    .argument(
      "<probe...>",
      "after --: a ping or nc -z line, optionally after `ip netns exec NS` or `docker exec C`",
    )
    .option("--sim", "walk in the simulator (default; needs no root)")
    .option("--kernel", "send the probe on the real kernel and show its netfilter trace")
    .option(
      "--compare",
      "both: hold the simulated walk against the kernel's trace; exit 1 on any difference",
    )
    .option(
      "--trace-all",
      "on the kernel, trace every namespace, not only where the simulator predicts the probe goes",
    )
    .option("--json", "the walk as one JSON object (docs/walk-json.md)")
    .option(
      "--step",
      "show one hop at a time (Enter: next hop, n: next packet, b: back, p: previous packet, q: quit)",
    )
    .option(
      "-v, --verbose",
      "every step of every packet (routes, neighbours, each netfilter rule...)",
    )
    .option(
      "--only <kinds>",
      "only the steps of these kinds, comma-separated: nf, arp, bridge, route",
    )
    .option("--packet <n>", "only packet #N of the walk")
    .option("--until <line>", "walk the probe in the world as it stood after this script line")
    .option("--diagram", "the walk as Mermaid diagrams: sequence, topology path, netfilter map")
    .option("-o, --output <file>", "with --diagram: FILE.md, or FILE.mmd|.svg|.png (three files)")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .action(async (script: string, probe: string[], opts) => {
      const { walkCommand } = await import("./walk-command.js");
      code = await walkCommand(script, probe, opts, write);
    });

  program
    .command("diagram")
    .description("draw the topology a lab script builds, as a Mermaid flowchart (or SVG/PNG)")
    .argument("<script>", "lab script file, or - to read it from standard input")
    .option("--sim", "build it in the simulator (default)")
    .option("--kernel", "build it on the real kernel, in a throwaway sandbox")
    .option("--until <line>", "draw the world as it stood after this line (a command line)")
    .option("--format <format>", "mmd (default), svg or png (these need Chromium)")
    .option("-o, --output <file>", "write to FILE (default: Mermaid text on standard output)")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .action(async (script: string, opts) => {
      const { diagramCommand } = await import("./diagram-command.js");
      code = await diagramCommand(script, opts, write);
    });

  program
    .command("doctor")
    .description(
      "check what the kernel backend needs (unshare, user namespaces, iproute2, iptables...)",
    )
    .option("--json", "machine-readable result")
    .action(async (opts) => {
      const { doctorCommand } = await import("./doctor-command.js");
      code = await doctorCommand(opts, write);
    });

  program
    .command("learn")
    .description(
      "step through a lesson: narration, commands, your prediction, then the walk that explains it",
    )
    .argument("[lesson]", "lesson id, number or file (without it: the menu of lessons)")
    .option("--lang <code>", "language of the narration, where a translation exists (en, zh)")
    .addOption(profileOption())
    .addOption(seedOption())
    .action(async (lesson: string | undefined, opts) => {
      const { learnCommand } = await import("./learn-command.js");
      code = await learnCommand(lesson, opts, write);
    });

  const lesson = program.command("lesson").description("lesson files: list them, verify them");
  lesson
    .command("list")
    .description("list the lessons")
    .action(async () => {
      const { lessonListCommand } = await import("./lesson-command.js");
      code = lessonListCommand({}, write);
    });
  lesson
    .command("verify")
    .description("run lessons without a learner: every check must hold; exit 1 if one fails")
    .argument("[lessons...]", "lesson ids, numbers or files (default: every lesson)")
    .option("--sim", "in the simulator (default)")
    .option("--kernel", "on the real kernel, in a throwaway sandbox")
    .option("--compare", "in both: checks must hold in both and every line print the same")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .action(async (lessons: string[], opts) => {
      const { lessonVerifyCommand } = await import("./lesson-command.js");
      code = await lessonVerifyCommand(lessons, opts, write);
    });

  program
    .command("labs")
    .description("the example labs: list them, or run one by name (as `run` does)")
    .argument("[lab]", "a lab's name (without it: the list)")
    .option("--sim", "run in the simulator (default; needs no root)")
    .option("--kernel", "run on the real kernel, in a throwaway rootless sandbox")
    .option("--compare", "run in both and show where they differ; exit 1 on any difference")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .action(async (lab: string | undefined, opts) => {
      const { labsCommand } = await import("./labs-command.js");
      code = await labsCommand(lab, opts, write);
    });

  const exercise = program
    .command("exercise")
    .description("exercises: a world to fix or build, judged by what the network does");
  exercise
    .command("list")
    .description("list the exercises")
    .action(async () => {
      const { exerciseListCommand } = await import("./exercise-command.js");
      code = exerciseListCommand(write);
    });
  exercise
    .command("show")
    .description("an exercise's goal, starting world and checks; --hints N shows N hints")
    .argument("<exercise>", "exercise id, number or file")
    .option("--hints <n>", "show this many hints")
    .action(async (name: string, opts) => {
      const { exerciseShowCommand } = await import("./exercise-command.js");
      code = exerciseShowCommand(name, opts, write);
    });
  exercise
    .command("check")
    .description(
      "run your solution (a lab script) on the exercise's world; exit 1 if a check fails",
    )
    .argument("<exercise>", "exercise id, number or file")
    .argument("<solution>", "your lab script")
    .option("--sim", "in the simulator (default)")
    .option("--kernel", "on the real kernel, in a throwaway sandbox")
    .addOption(profileOption())
    .addOption(seedOption())
    .addOption(timeoutOption())
    .action(async (name: string, solution: string, opts) => {
      const { exerciseCheckCommand } = await import("./exercise-command.js");
      code = await exerciseCheckCommand(name, solution, opts, write);
    });

  const dashDash = missingDashDash(argv.slice(2));
  if (dashDash !== undefined) {
    process.stderr.write(`${dashDash}\n`);
    return 2;
  }
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    const signalled = interruption();
    if (signalled !== undefined) return signalled;
    if (e instanceof UserError) {
      process.stderr.write(e.message.endsWith("\n") ? e.message : `${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  return code;
}
