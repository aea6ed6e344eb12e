// Issue 9: a script's bytes are never echoed raw to a terminal: error messages and the
// human output of `run` escape control characters.
import { describe, expect, it } from "vitest";
import { ScriptError } from "../../src/script/errors.js";
import { escapeControls, escapeOutput } from "../../src/script/escape.js";
import { parseScript } from "../../src/script/parse.js";

describe("escapeControls", () => {
  it("writes C0, DEL, C1 and bidi controls as escapes", () => {
    expect(escapeControls("a\x1b[31mb")).toBe("a\\x1b[31mb");
    expect(escapeControls("nul\x00")).toBe("nul\\x00");
    expect(escapeControls("bell\x07 del\x7f csi\x9b")).toBe("bell\\x07 del\\x7f csi\\x9b");
    expect(escapeControls("x\ry\tz\n")).toBe("x\\ry\\tz\\n");
    expect(escapeControls("abc\u202edef")).toBe("abc\\u202edef");
  });

  it("leaves printable text, UTF-8 included, alone", () => {
    expect(escapeControls('ip link show dev "é ü 网"')).toBe('ip link show dev "é ü 网"');
  });

  it("escapeOutput keeps newlines and tabs of program output", () => {
    expect(escapeOutput("a\tb\nc\x1b]0;title\x07\n")).toBe("a\tb\nc\\x1b]0;title\\x07\n");
  });
});

describe("ScriptError", () => {
  it("escapes what it quotes, in the message and the reason", () => {
    const e = new ScriptError("lab\x1b.lab", 3, 'unknown command "fo\x1b[2Jo"', "hint \x00");
    expect(e.message).toBe('lab\\x1b.lab:3: unknown command "fo\\x1b[2Jo"\n  hint: hint \\x00');
    expect(e.reason).toBe('unknown command "fo\\x1b[2Jo"');
    expect(e.hint).toBe("hint \\x00");
  });

  it("a script with escape bytes gets escaped parse errors", () => {
    const { errors } = parseScript("fo\x00o\x1b[31m bar\n", "lab.lab");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain('"fo\\x00o\\x1b[31m"');
    // eslint-disable-next-line no-control-regex -- the point: no control character left
    expect(errors[0]!.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});
