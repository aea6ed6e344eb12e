// Loading a script: parse it, then read the files its lines name (iptables-restore's rules
// file) through a reader the caller gives, so src/script opens nothing itself and the
// backends get contents, never paths. A file is read only from the script's directory
// (or below it): its real path, symlinks followed, must stay inside.
import { ScriptError } from "./errors.js";
import { parseScript, type ParseOptions, type ParseOutcome } from "./parse.js";
import { programSpec } from "./programs/registry.js";
import type { LabCommand, LabFile } from "./types.js";

/** What the reader found for a name written on a line. */
export type FileLookup = {
  /** The absolute path with every symlink resolved (as far as it exists). */
  realPath: string;
} & ({ content: string } | { error: string /* strerror's text */ });

export interface ScriptFiles {
  /**
   * The real path of the directory names are relative to: the script's, or the current
   * directory for a script read from standard input.
   */
  readonly dir: string;
  /** Looks `name` up relative to dir, following symlinks, and reads it. */
  read(name: string): FileLookup;
}

export interface LoadOptions extends ParseOptions {
  files: ScriptFiles;
}

/** Parses a script and reads the files it names; every problem is reported, nothing runs. */
export function loadLabScript(text: string, file: string, opts: LoadOptions): ParseOutcome {
  const { script, errors } = parseScript(text, file, opts);
  const commands: LabCommand[] = [];
  for (const cmd of script.commands) {
    try {
      commands.push(withFiles(cmd, opts.files, file));
    } catch (e) {
      if (e instanceof ScriptError) errors.push(e);
      else throw e;
    }
  }
  errors.sort((a, b) => a.line - b.line);
  return { script: { ...script, commands }, errors };
}

/** The command with its files read (the registry's fileArgs); throws ScriptError. */
export function withFiles(cmd: LabCommand, files: ScriptFiles, file = "<script>"): LabCommand {
  const at = programSpec(cmd.program)?.fileArgs?.(cmd.args) ?? [];
  if (at.length === 0) return cmd;
  const read = at.map((arg): LabFile => {
    const name = cmd.args[arg]!;
    const found = files.read(name);
    if (!inside(files.dir, found.realPath)) {
      throw new ScriptError(
        file,
        cmd.line,
        `${cmd.program}: ${name} is ${found.realPath}, outside the script's directory (${files.dir})`,
        "packetwalk reads files only from the script's directory or below it: copy the file there",
      );
    }
    return "content" in found
      ? { arg, name, content: found.content }
      : { arg, name, error: found.error };
  });
  return { ...cmd, files: read };
}

/**
 * Why a command's files cannot reach its program: it names one but was never loaded (a
 * command built by hand). Both backends answer it the same way.
 */
export function unloadedFiles(cmd: LabCommand): string | undefined {
  const at = programSpec(cmd.program)?.fileArgs?.(cmd.args) ?? [];
  if (at.length === 0 || cmd.files !== undefined) return undefined;
  return `packetwalk: ${cmd.program}: ${cmd.args[at[0]!]} was not read: files are read when the script is loaded\n`;
}

/** The directory itself or below it, as paths go (both already real and absolute). */
function inside(dir: string, path: string): boolean {
  const base = dir.endsWith("/") ? dir : `${dir}/`;
  return path === dir || path.startsWith(base);
}
