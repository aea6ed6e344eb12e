// Terminal styling for people: colour only on a terminal, and never with NO_COLOR.
import { palette, type Palette } from "../walk/render.js";

export const useColour = (): boolean =>
  Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";

/** The walk's palette, switched on or off by the terminal at each use. */
export const style: Palette = {
  bold: (s) => palette(useColour()).bold(s),
  dim: (s) => palette(useColour()).dim(s),
  red: (s) => palette(useColour()).red(s),
  green: (s) => palette(useColour()).green(s),
  yellow: (s) => palette(useColour()).yellow(s),
  cyan: (s) => palette(useColour()).cyan(s),
};
