// `ip netns` in the simulator, against what iproute2 6.1 prints on kernel 6.18.
import { describe, expect, it } from "vitest";
import { Lab, res } from "./ip-helpers.js";

describe("ip netns", () => {
  it("lists names newest first, as readdir of /run/netns on tmpfs gives them", () => {
    const l = new Lab();
    expect(l.run("ip netns list")).toEqual(res(0));
    l.setup("ip netns add a", "ip netns add b", "ip netns add c");
    expect(l.run("ip netns list")).toEqual(res(0, "c\nb\na\n"));
    expect(l.run("ip netns ls")).toEqual(res(0, "c\nb\na\n"));
    expect(l.run("ip netns")).toEqual(res(0, "c\nb\na\n"));
    expect(l.run("ip -j netns list")).toEqual(res(0, '[{"name":"c"},{"name":"b"},{"name":"a"}]\n'));
    // A name added again after a delete is the newest.
    l.setup("ip netns del b", "ip netns add b");
    expect(l.run("ip netns list")).toEqual(res(0, "b\nc\na\n"));
  });

  it("prints the errors and exit codes of add, del and bad names", () => {
    const l = new Lab();
    l.setup("ip netns add a");
    expect(l.run("ip netns add a")).toEqual(
      res(1, "", 'Cannot create namespace file "/run/netns/a": File exists\n'),
    );
    expect(l.run("ip netns del zz")).toEqual(
      res(1, "", 'Cannot remove namespace file "/run/netns/zz": No such file or directory\n'),
    );
    expect(l.run("ip netns delete zz")).toEqual(
      res(1, "", 'Cannot remove namespace file "/run/netns/zz": No such file or directory\n'),
    );
    expect(l.run("ip netns add")).toEqual(res(1, "", "No netns name specified\n"));
    expect(l.run("ip netns del")).toEqual(res(1, "", "No netns name specified\n"));
    expect(l.run("ip netns add ..")).toEqual(res(255, "", 'Invalid netns name ".."\n'));
    expect(l.run("ip netns foo")).toEqual(
      res(255, "", 'Command "foo" is unknown, try "ip netns help".\n'),
    );
  });

  it("shows an nsid once a link or a move made the namespace refer to the other", () => {
    const l = new Lab();
    l.setup("ip netns add a", "ip netns add b", "ip netns add c");
    expect(l.out("ip netns list-id")).toBe("");
    // Created in a with its peer in b: a's notification for v0 names b; b has no id for a yet.
    l.setup("ip -n a link add v0 type veth peer name v1 netns b");
    expect(l.out("ip netns list")).toBe("c\nb\na\n");
    expect(l.out("ip -n a netns list")).toBe("c\nb (id: 0)\na\n");
    expect(l.out("ip -n b netns list")).toBe("c\nb\na\n");
    expect(l.out("ip -n a netns list-id")).toBe("nsid 0 (iproute2 netns name: b)\n");
    expect(l.out("ip -n b netns list-id")).toBe("");
    // Dumping b's links gives b an id for a.
    expect(l.out("ip -n b link")).toContain("link-netns a\n");
    expect(l.out("ip -n b netns list")).toBe("c\nb\na (id: 0)\n");

    l.setup("ip link add x0 type veth peer name x1 netns c");
    expect(l.out("ip netns list")).toBe("c (id: 0)\nb\na\n");
    // Moving a device gives the old namespace an id for the new one, and the new one for the old.
    l.setup("ip link add y0 type veth peer name y1", "ip link set y1 netns a");
    expect(l.out("ip netns list")).toBe("c (id: 0)\nb\na (id: 1)\n");
    expect(l.out("ip -n a netns list-id")).toBe("nsid 0 (iproute2 netns name: b)\nnsid 1 \n");
    // A dead namespace's id is freed everywhere; the lowest free id is reused.
    l.setup("ip netns del b");
    expect(l.out("ip -n a netns list")).toBe("c\na\n");
    l.setup("ip netns add d", "ip link add z0 type veth peer name z1 netns d");
    expect(l.out("ip netns list")).toBe("d (id: 2)\nc (id: 0)\na (id: 1)\n");
    expect(l.out("ip -j netns list")).toBe(
      '[{"name":"d","id":2},{"name":"c","id":0},{"name":"a","id":1}]\n',
    );
  });

  it("sets an nsid with ip netns set, once", () => {
    const l = new Lab();
    l.setup("ip netns add a", "ip netns add c", "ip netns add e");
    l.setup("ip netns set c 5");
    expect(l.out("ip netns list")).toBe("e\nc (id: 5)\na\n");
    expect(l.run("ip netns set c 7")).toEqual(
      res(2, "", "Error: Peer netns already has a nsid assigned.\n"),
    );
    expect(l.run("ip netns set zz 7")).toEqual(
      res(1, "", 'Cannot open network namespace "zz": No such file or directory\n'),
    );
    l.setup("ip netns set e auto");
    expect(l.out("ip netns list-id")).toBe(
      "nsid 0 (iproute2 netns name: e)\nnsid 5 (iproute2 netns name: c)\n",
    );
    expect(l.out("ip -j netns list-id")).toBe('[{"nsid":0,"name":"e"},{"nsid":5,"name":"c"}]\n');
  });

  it("identifies the namespace it runs in", () => {
    const l = new Lab();
    l.setup("ip netns add ns1");
    expect(l.run("ip netns identify")).toEqual(res(0, "\n"));
    expect(l.run("ip -n ns1 netns identify")).toEqual(res(0, "ns1\n"));
  });
});
