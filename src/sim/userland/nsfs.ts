// Bind mounts of namespace files (nsfs) other than /run/netns's: dockerd's, one per
// container sandbox at /run/docker/netns/<id>. lsns's NSFS column lists every mount of a
// namespace, in mount order; `ip netns` sees only /run/netns, which is why a container's
// namespace is "hidden" from it.
import type { NetNs, World } from "../kernel/netlink/index.js";
import { worldSlot } from "./world-slot.js";

const mounts = (world: World): { ns: NetNs; path: string }[] =>
  worldSlot(world, "nsfs", () => [] as { ns: NetNs; path: string }[]);

/** A namespace file bind-mounted at path; the function returned unmounts it. */
export function bindNsfs(world: World, ns: NetNs, path: string): () => void {
  const list = mounts(world);
  const m = { ns, path };
  list.push(m);
  return () => {
    const i = list.indexOf(m);
    if (i >= 0) list.splice(i, 1);
  };
}

/** Every path ns is mounted at, in mount order: docker's (made first), then /run/netns's. */
export function nsfsPaths(world: World, ns: NetNs): string[] {
  const docker = mounts(world)
    .filter((m) => m.ns === ns)
    .map((m) => m.path);
  const named = [...world.named.entries()]
    .filter(([, n]) => n === ns)
    .map(([k]) => `/run/netns/${k}`);
  return [...docker, ...named];
}
