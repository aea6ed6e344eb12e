// A script's bytes quoted back to a person: control characters (and the bidi controls that
// reorder what a terminal shows) are written as escapes, so a script can never drive the
// terminal it is reported on (colours, cursor moves, a carriage return that hides text).

// C0 controls, DEL, C1 controls; bidi embeddings, overrides and isolates. Matching control
// characters is the point here.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16)}`;
}

/** One line of text, every control character escaped (`\x1b`, `\x00`, `\r`, `\t`, `\u202e`). */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escapeChar);
}

/** Program output for a terminal: lines and tabs kept, every other control escaped. */
export function escapeOutput(s: string): string {
  return s.replace(CONTROL_KEEP_LINES, escapeChar);
}
