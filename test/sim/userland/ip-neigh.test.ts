// `ip neigh` in the simulator against iproute2 6.1 on kernel 6.18: the transcripts in
// fixtures/neigh-*.json were recorded on the kernel from test/labs/neigh-*.lab.
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";
import { replay } from "./ip-replay.js";

describe("ip neigh: kernel transcripts", () => {
  for (const f of ["neigh-show-flush", "neigh-timers"]) {
    it(f, () => {
      expect(replay(`${f}.json`).join("\n")).toBe("");
    });
  }
});

function pair(): Lab {
  const l = new Lab();
  l.setup(
    "ip netns add a",
    "ip netns add b",
    "ip -n a link set lo up",
    "ip link add va netns a type veth peer name vb netns b",
    "ip -n a addr add 10.0.0.1/24 dev va",
    "ip -n b addr add 10.0.0.2/24 dev vb",
    "ip -n a link set va up",
    "ip -n b link set vb up",
  );
  return l;
}

describe("ip neigh", () => {
  it("prints lladdr only for valid states, each field with a trailing space", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    const mac = l.mac("vb", "b");
    expect(l.run("ip -n a neigh")).toEqual(res(0, `10.0.0.2 dev va lladdr ${mac} REACHABLE \n`));
    expect(l.out("ip -n a neigh show dev va")).toBe(`10.0.0.2 lladdr ${mac} REACHABLE \n`);
    expect(l.out("ip -n a -j neigh")).toBe(
      `[{"dst":"10.0.0.2","dev":"va","lladdr":"${mac}","state":["REACHABLE"]}]\n`,
    );
    l.run("ip netns exec a ping -c1 -W1 10.0.0.9");
    expect(l.out("ip -n a neigh show 10.0.0.9")).toBe("10.0.0.9 dev va INCOMPLETE \n");
  });

  it("flush needs a selector and removes every state but permanent and noarp", () => {
    const l = pair();
    l.setup("ip netns exec a ping -c1 -W1 10.0.0.2");
    l.run("ip netns exec a ping -c1 -W4 10.0.0.9");
    expect(l.run("ip -n a neigh flush")).toEqual(res(1, "", "Flush requires arguments.\n"));
    expect(l.run("ip -n a -s neigh flush dev va")).toEqual(
      res(0, "\n*** Round 1, deleting 2 entries ***\n*** Flush is complete after 1 round ***\n"),
    );
    expect(l.run("ip -n a neigh")).toEqual(res(0, ""));
    expect(l.run("ip -n a -s neigh flush all")).toEqual(res(0, "Nothing to flush.\n"));
  });
});
