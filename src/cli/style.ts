// Terminal styling for people: colour only on a terminal, and never with NO_COLOR.
const useColour = (): boolean =>
  Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";

function wrap(code: string, reset: string): (s: string) => string {
  return (s) => (useColour() ? `\u001b[${code}m${s}\u001b[${reset}m` : s);
}

export const style = {
  bold: wrap("1", "22"),
  dim: wrap("2", "22"),
  red: wrap("31", "39"),
  green: wrap("32", "39"),
  yellow: wrap("33", "39"),
  cyan: wrap("36", "39"),
};
