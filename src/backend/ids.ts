// Typed identities of what a lab builds: a network namespace, and a device in one.
//
// The script's root namespace (the sandbox's own on the kernel) has no name. Elsewhere in
// the code it is spelled `undefined`, "" or "(root)"; here it is one value, ROOT_NS, and
// a named namespace is its name. NsId is a branded string so that it can be compared
// with ===, used as a Map key and written to JSON, yet a plain string is not one by
// accident: make one with nsId(), namedNs() or ROOT_NS.

declare const nsIdBrand: unique symbol;

/** A network namespace of the lab: ROOT_NS, or a name `ip netns add` gave. */
export type NsId = string & { readonly [nsIdBrand]: true };

/**
 * The root namespace. "" cannot be a namespace's name (`ip netns add ""` is refused), so
 * it never collides with one; print it with nsLabel.
 */
export const ROOT_NS = "" as NsId;

/** A named namespace's id. */
export function namedNs(name: string): NsId {
  if (name === "") throw new Error("a namespace name cannot be empty");
  return name as NsId;
}

/** From the form LabCommand.netns uses (undefined: the root namespace). */
export function nsId(name: string | undefined): NsId {
  return name === undefined || name === "" ? ROOT_NS : namedNs(name);
}

export function isRootNs(id: NsId): boolean {
  return id === ROOT_NS;
}

/** The name to pass to `ip netns exec` / `ip -n`; undefined for the root namespace. */
export function nsName(id: NsId): string | undefined {
  return id === ROOT_NS ? undefined : id;
}

/** How people read it: the name, or "(root)". */
export function nsLabel(id: NsId): string {
  return id === ROOT_NS ? "(root)" : id;
}

/** Root first, then by name: the order Topology lists namespaces in. */
export function compareNsId(a: NsId, b: NsId): number {
  if (a === b) return 0;
  if (a === ROOT_NS) return -1;
  if (b === ROOT_NS) return 1;
  return a < b ? -1 : 1;
}

/** A device: its namespace and its name there (names are unique per namespace). */
export interface DevRef {
  ns: NsId;
  name: string;
}

export function devRef(ns: NsId, name: string): DevRef {
  return { ns, name };
}

export function sameDev(a: DevRef, b: DevRef): boolean {
  return a.ns === b.ns && a.name === b.name;
}

/** "name" in the root namespace, "ns/name" elsewhere. */
export function devLabel(d: DevRef): string {
  return d.ns === ROOT_NS ? d.name : `${d.ns}/${d.name}`;
}
