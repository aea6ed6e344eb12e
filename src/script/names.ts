// Names and paths lab lines may use: settings of a network namespace, namespace names.

/** /proc/sys/net/...: the only settings that belong to a network namespace. */
export function isProcSysPath(p: string): boolean {
  return /^\/proc\/sys\/net\/[A-Za-z0-9_./-]+$/.test(p) && !p.split("/").includes("..");
}

/** A namespace name as `ip netns` accepts it (no slashes, not . or ..). */
export function isNetnsName(n: string): boolean {
  return n.length > 0 && n.length < 256 && !n.includes("/") && n !== "." && n !== "..";
}
