// The comment match (libxt_comment.c): up to 255 characters, silently cut
// (XTTYPE_STRING into a 256-byte field); saved quoted when it needs to be.
import { type Match } from "../../../kernel/netlink/index.js";
import type { MatchExt, Printer } from "./framework.js";
import { saveString } from "./quote.js";

type Comment = Extract<Match, { kind: "comment" }>;

export const commentExt: MatchExt<Comment, Comment> = {
  kind: "match",
  name: "comment",
  x6: true,
  options: [{ name: "comment", id: 0, hasArg: 1, mand: true }],
  init: () => ({ kind: "comment", comment: "" }),
  parse(d, c) {
    d.comment = c.arg!.slice(0, 255);
  },
  build: (d) => d,
};

export const commentPrinter: Printer<Comment> = {
  print: (m) => ` /* ${m.comment} */`,
  save: (m) => ` --comment${saveString(m.comment)}`,
};
