// The simulated kernel's structure: requests through the netlink-like API (one order,
// errno answers), device kinds and notifier subscribers that register instead of being
// imported by the core, and the bridge's rx handler on its ports.
import { describe, expect, it } from "vitest";
import { LINUX, bootWorld } from "../../../src/sim/kernel/boot.js";
import { NetDevice } from "../../../src/sim/kernel/core/device.js";
import { claimName, macFor, register } from "../../../src/sim/kernel/core/links.js";
import type { KernelModules, NetdevEvent } from "../../../src/sim/kernel/core/modules.js";
import type { NetNs } from "../../../src/sim/kernel/core/netns.js";
import { World } from "../../../src/sim/kernel/core/world.js";
import {
  KernelError,
  brportSet,
  linkAdd,
  linkDel,
  linkSet,
  nfBegin,
  nfTables,
  newUserChain,
  type Errno,
} from "../../../src/sim/kernel/netlink/index.js";
import { PLAIN_HOST_PROFILE } from "../../../src/sim/profile.js";

function errno(fn: () => unknown): Errno | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof KernelError) return e.errno;
    throw e;
  }
  return undefined;
}

/** A device kind the core has never heard of (drivers/net/dummy.c): always has carrier. */
class Dummy extends NetDevice {
  readonly kind = "dummy";
  carrier(): boolean {
    return true;
  }
  xmit(): void {
    this.stats.txPackets++;
  }
}

describe("netlink API", () => {
  it("applies a link change in do_setlink's order and keeps what came before a failure", () => {
    const w = bootWorld(PLAIN_HOST_PROFILE);
    const dev = linkAdd(w.root, { kind: "bridge", name: "br0" });
    // The address is set, then the MTU fails: the name (after the MTU) never changes.
    expect(errno(() => linkSet(dev, { mac: [2, 0, 0, 0, 0, 9], mtu: 10, name: "br1" }))).toBe(
      "EINVAL",
    );
    expect(dev.mac).toBe("02:00:00:00:00:09");
    expect(dev.name).toBe("br0");
  });

  it("refuses bridge port options on a device that is no bridge's port", () => {
    const w = bootWorld(PLAIN_HOST_PROFILE);
    const veth = linkAdd(w.root, { kind: "veth", name: "a", peer: { name: "b" } });
    expect(errno(() => brportSet(veth, { hairpin: true }))).toBe("EOPNOTSUPP");
    const br = linkAdd(w.root, { kind: "bridge", name: "br0" });
    linkSet(veth, { master: br });
    brportSet(veth, { hairpin: true, learning: false });
    expect(veth.hairpin).toBe(true);
    // Leaving the bridge takes the port options with it.
    linkSet(veth, { master: null });
    expect(veth.hairpin).toBe(false);
  });

  it("answers an unknown kind with EOPNOTSUPP and a bad address with EADDRNOTAVAIL", () => {
    const w = bootWorld(PLAIN_HOST_PROFILE);
    const req = { kind: "dummy", name: "d0" } as unknown as Parameters<typeof linkAdd>[1];
    expect(errno(() => linkAdd(w.root, req))).toBe("EOPNOTSUPP");
    expect(errno(() => linkAdd(w.root, { kind: "bridge", mac: [1, 0, 0, 0, 0, 1] }))).toBe(
      "EADDRNOTAVAIL",
    );
    expect(w.root.byName("d0")).toBeUndefined();
  });

  it("puts the tables back when a netfilter batch aborts, keeps them when it commits", () => {
    const w = bootWorld(PLAIN_HOST_PROFILE);
    const aborted = nfBegin(w.root);
    newUserChain(aborted.state, "filter", "A");
    aborted.abort();
    expect(nfTables(w.root).tables.get("filter")?.chains.has("A") ?? false).toBe(false);
    const committed = nfBegin(w.root);
    newUserChain(committed.state, "filter", "B");
    committed.commit();
    committed.abort(); // too late: the batch is in
    expect(nfTables(w.root).tables.get("filter")?.chains.has("B")).toBe(true);
  });
});

describe("registration instead of imports", () => {
  it("makes a device of a kind registered from outside the core", () => {
    const modules: KernelModules = {
      ...LINUX,
      linkKinds: new Map([
        ...LINUX.linkKinds,
        [
          "dummy",
          {
            kind: "dummy",
            newlink: (ns: NetNs, name: string | undefined) =>
              register(
                ns,
                new Dummy(ns, ns.allocIndex(), claimName(ns, name ?? "dummy%d"), macFor(ns)),
              ),
          },
        ],
      ]),
    };
    const w = new World(PLAIN_HOST_PROFILE, modules);
    const req = { kind: "dummy", up: true } as unknown as Parameters<typeof linkAdd>[1];
    const d = linkAdd(w.root, req);
    expect(d).toBeInstanceOf(Dummy);
    expect(d.name).toBe("dummy0");
    expect(d.adminUp).toBe(true);
    linkDel(d);
    expect(w.root.byName("dummy0")).toBeUndefined();
  });

  it("tells every subscriber of the netdev notifier chain, in order", () => {
    const seen: string[] = [];
    const modules: KernelModules = {
      ...LINUX,
      netdevChain: [
        ...LINUX.netdevChain,
        (_ns, dev, event: NetdevEvent) => seen.push(`${dev.name} ${event}`),
      ],
    };
    const w = new World(PLAIN_HOST_PROFILE, modules);
    const br = linkAdd(w.root, { kind: "bridge", name: "br0", up: true });
    linkSet(br, { name: "br1" });
    linkDel(br);
    expect(seen).toEqual([
      "br0 register",
      "br0 up",
      "br1 changename",
      "br1 down",
      "br1 unregister",
    ]);
  });

  it("gives a bridge port's frames to the bridge through the port's rx handler", () => {
    const w = bootWorld(PLAIN_HOST_PROFILE);
    const veth = linkAdd(w.root, { kind: "veth", name: "a", peer: { name: "b" } });
    const br = linkAdd(w.root, { kind: "bridge", name: "br0" });
    expect(veth.rxHandler).toBeUndefined();
    linkSet(veth, { master: br });
    expect(veth.rxHandler).toBeTypeOf("function");
    linkDel(br);
    expect(veth.master).toBeUndefined();
    expect(veth.rxHandler).toBeUndefined();
  });
});
