// How iptables words a failed operation (nft.c nft_strerror and the batch error report):
// its own checks give a sentence chosen by the command and errno, a refused batch
// message gives "OP failed (strerror): object".
import { NF_STRERROR, type NfError } from "../../kernel/netlink/index.js";
import { VERSION_TAG } from "./version.js";
import { CMD } from "./cmdline.js";

const GENERIC: Partial<Record<string, string>> = {
  ENOENT: "No chain/target/match by that name",
};

/** nft_strerror's table: [command bits, errno, message]. */
const BY_COMMAND: [number, string, string][] = [
  [CMD.DELETE_CHAIN, "EBUSY", "Directory not empty"],
  [CMD.NEW_CHAIN, "EEXIST", "Chain already exists"],
  [CMD.RENAME_CHAIN, "EEXIST", "File exists"],
  [CMD.INSERT, "E2BIG", "Index of insertion too big"],
  [CMD.CHECK, "ENOENT", "Bad rule (does a matching rule exist in that chain?)"],
  [CMD.REPLACE, "E2BIG", "Index of replacement too big"],
  [CMD.DELETE_NUM, "E2BIG", "Index of deletion too big"],
  [CMD.DELETE, "ENOENT", "Bad rule (does a matching rule exist in that chain?)"],
  [CMD.SET_POLICY, "ENOENT", "Bad built-in chain name"],
  [CMD.SET_POLICY, "EINVAL", "Bad policy name"],
];

/** The sentence for one of iptables' own checks (no trailing period). */
export function nftStrerror(e: NfError, command: number): string {
  const hit = BY_COMMAND.find(([c, errno]) => c === command && errno === e.errno);
  return hit?.[2] ?? GENERIC[e.errno] ?? NF_STRERROR[e.errno];
}

/** The report of a refused batch message; `line` is the iptables-restore line. */
export function batchErrorText(prog: string, e: NfError, line?: number): string {
  const b = e.batch!;
  const where = line !== undefined ? `\nline ${line}:` : "";
  return `${prog} ${VERSION_TAG}: ${where} ${b.op} failed (${NF_STRERROR[e.errno]}): ${b.subject}\n`;
}
