// A probe that names a container (`docker exec ca ping cb`): the container's C library
// asks Docker's embedded DNS by datagrams over lo (127.0.0.11:53, DNAT to dockerd's
// socket), in the simulator as on the kernel. Walked with --compare, the lookup's packets
// agree hop by hop with the kernel's trace: the queries, their answers, and the PTR query
// ping makes for the reply's name, with the same chains and lengths.
import { describe, expect, it } from "vitest";
import { parseScript } from "../../src/script/parse.js";
import { SimBackend } from "../../src/sim/sim-backend.js";
import { KernelBackend } from "../../src/real/kernel-backend.js";
import { stepText } from "../../src/walk/compare-nf.js";
import { parseProbe } from "../../src/walk/probe.js";
import { runWalk } from "../../src/walk/run-walk.js";
import type { Walk } from "../../src/walk/types.js";

const USER_NET = [
  "docker network create n1",
  "docker run -d --name ca --network n1 alpine",
  "docker run -d --name cb --network n1 alpine nc -lk 80",
];
const BY_NAME = "docker exec ca ping -c 1 -W 1 cb";

function scriptOf(lines: string[]): ReturnType<typeof parseScript>["script"] {
  const { script, errors } = parseScript(lines.join("\n"), "t.lab");
  expect(errors).toEqual([]);
  return script;
}

/**
 * A packet as both accounts can say it: a query to the DNS server, an answer from it, or
 * another packet, and its length (the chains are held against each other by the walk's
 * own comparison, which folds the random ports).
 */
interface Hop {
  dir: "query" | "answer" | "other";
  len: number;
}

/** The kernel's packets traced in ca (container), in order. */
function kernelHops(w: Walk): Hop[] {
  return w
    .kernel!.netfilter.filter((p) => p.ns === "ca (container)")
    .map((p) => ({
      dir: p.dport === 53 ? "query" : p.src === "127.0.0.11" ? "answer" : "other",
      len: p.len ?? 0,
    }));
}

/** The simulator's packets that passed ca (container), in order. */
function simHops(w: Walk): Hop[] {
  return w
    .sim!.packets.filter(
      (p) => p.protocol !== "arp" && p.steps.some((x) => x.ns === "ca (container)"),
    )
    .map((p) => {
      const dns = p.fields?.dns;
      const here = p.steps.find((x) => x.ns === "ca (container)")!;
      const len = Number(/ len (\d+)$/.exec(here.header)?.[1] ?? 0);
      return { dir: dns ? (dns.response ? "answer" : "query") : "other", len };
    });
}

describe("a probe by name walked against the kernel", () => {
  it("the simulator's walk: the lookup comes first, as datagrams over lo, then the ping", async () => {
    const w = await runWalk(scriptOf(USER_NET), parseProbe(BY_NAME.split(" ")), {
      sim: new SimBackend(),
    });
    const dns = w.sim!.packets.filter((p) => p.fields?.dns);
    expect(dns.map((p) => p.summary.replace(/:\d{4,5}\b/g, ":P"))).toEqual([
      "UDP 127.0.0.1:P > 127.0.0.11:53 DNS query A? cb",
      "UDP 127.0.0.1:P > 127.0.0.11:53 DNS query AAAA? cb",
      "UDP 127.0.0.11:P > 127.0.0.1:P DNS answer A cb: 172.18.0.3",
      "UDP 127.0.0.11:P > 127.0.0.1:P DNS answer AAAA cb: none",
      "UDP 127.0.0.1:P > 127.0.0.11:53 DNS query PTR? 3.0.18.172.in-addr.arpa",
      "UDP 127.0.0.11:P > 127.0.0.1:P DNS answer PTR 3.0.18.172.in-addr.arpa: cb.n1",
    ]);
    expect(dns.every((p) => p.fate.kind === "delivered" && p.fate.ns === "ca (container)")).toBe(
      true,
    );
  });

  it("--compare: the DNS packets in ca agree with the kernel's trace hop by hop", async () => {
    const sim = new SimBackend();
    const kernel = await KernelBackend.start();
    try {
      const w = await runWalk(scriptOf(USER_NET), parseProbe(BY_NAME.split(" ")), {
        sim,
        kernel,
      });
      expect(w.setupFailures).toEqual([]);
      expect(w.kernel?.probe).toMatchObject({ exit: 0 });
      expect(w.comparison?.differences).toEqual([]);
      expect(w.comparison).toMatchObject({ probeMatch: true, netfilterMatch: true });
      const k = kernelHops(w);
      const s = simHops(w);
      // The lookup's four packets race: dockerd answers each query in a goroutine of its
      // own, on another CPU, while glibc may still be sending the AAAA query; so they are
      // compared as a set (the walk's own comparison holds the chains in trace order).
      const key = (h: Hop): string => `${h.dir} ${h.len}`;
      const settle = (hs: Hop[]): string[] => [
        ...hs.slice(0, 4).map(key).sort(),
        ...hs.slice(4).map(key),
      ];
      expect(settle(s)).toEqual(settle(k));
      // A and AAAA for "cb" (48 bytes each), their answers (66: one A record; 48: none),
      // the echo request, then the PTR query (69) and its answer (111).
      expect(settle(k)).toEqual([
        "answer 48",
        "answer 66",
        "query 48",
        "query 48",
        "other 84",
        "other 84",
        "query 69",
        "answer 111",
      ]);
      // Only each socket's first query crosses nat: OUTPUT's jump, the DNAT, POSTROUTING.
      const paths = w
        .kernel!.netfilter.filter((p) => p.ns === "ca (container)")
        .map((p) => p.steps.map(stepText));
      expect(paths[0]).toEqual([
        "nat OUTPUT rule 1: -d 127.0.0.11/32 -j DOCKER_OUTPUT => JUMP:DOCKER_OUTPUT",
        expect.stringMatching(
          /^nat DOCKER_OUTPUT rule 2: .* --dport 53 -j DNAT --to-destination 127\.0\.0\.11:\d+ => ACCEPT$/,
        ),
        "nat POSTROUTING rule 1: -d 127.0.0.11/32 -j DOCKER_POSTROUTING => JUMP:DOCKER_POSTROUTING",
        "nat POSTROUTING policy ACCEPT",
      ]);
      // The AAAA query, whichever place it took, crossed no nat chain.
      expect(paths.slice(1, 4).filter((p) => p.length > 0)).toEqual([]);
    } finally {
      await kernel.close();
    }
  });
});
