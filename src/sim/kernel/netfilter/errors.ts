// Why a netfilter operation failed. iptables-nft checks some things against its own cache
// of the ruleset (a chain that does not exist, an index too big) and sends the rest to the
// kernel in one batch; a refused batch message carries the operation and its object, which
// iptables prints as "RULE_APPEND failed (Invalid argument): rule in chain INPUT".

export type NfErrno = "ENOENT" | "EEXIST" | "E2BIG" | "EINVAL" | "EBUSY" | "EMLINK" | "EOPNOTSUPP";

export const NF_STRERROR: Record<NfErrno, string> = {
  ENOENT: "No such file or directory",
  EEXIST: "File exists",
  E2BIG: "Argument list too long",
  EINVAL: "Invalid argument",
  EBUSY: "Device or resource busy",
  EMLINK: "Too many links",
  EOPNOTSUPP: "Operation not supported",
};

/** The batch message types iptables names in its errors (nft.c type_name[]). */
export type BatchOp =
  | "RULE_APPEND"
  | "RULE_INSERT"
  | "RULE_REPLACE"
  | "RULE_DELETE"
  | "CHAIN_DEL"
  | "CHAIN_ZERO"
  | "CHAIN_USER_ADD";

export class NfError extends Error {
  constructor(
    readonly errno: NfErrno,
    /** Set when the kernel refused a batch message; unset for iptables' own checks. */
    public batch?: { op: BatchOp; subject: string },
  ) {
    super(NF_STRERROR[errno]);
    this.name = "NfError";
  }
}
