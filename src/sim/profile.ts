// Host profiles: what a new namespace inherits from the machine (lab-script.md).
import type { HostProfile } from "../backend.js";
import { BRIDGE_NF_DEFAULTS } from "./kernel/core/sysctl.js";

/**
 * The default: a host where Docker has run. br_netfilter is loaded with the kernel's
 * defaults (bridge-nf-call-iptables 1) and IPv4 keeps the kernel's compiled defaults
 * (ip_forward 0, rp_filter 0): lessons that need forwarding turn it on themselves.
 */
export const DOCKER_HOST_PROFILE: HostProfile = {
  name: "docker-host",
  ipv4: {
    "net.ipv4.ip_forward": "0",
    "net.ipv4.conf.all.rp_filter": "0",
    "net.ipv4.conf.default.rp_filter": "0",
  },
  brNetfilter: { ...BRIDGE_NF_DEFAULTS },
};

/** A host without br_netfilter (bridged traffic never meets iptables). */
export const PLAIN_HOST_PROFILE: HostProfile = {
  name: "plain",
  ipv4: { "net.ipv4.ip_forward": "0" },
  brNetfilter: null,
};

export const BUILTIN_PROFILES: Record<string, HostProfile> = {
  "docker-host": DOCKER_HOST_PROFILE,
  plain: PLAIN_HOST_PROFILE,
};

/** Parses a profile file (JSON with the HostProfile fields); throws a readable Error. */
export function parseProfile(text: string, source: string): HostProfile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const d = data as Partial<HostProfile>;
  if (typeof d !== "object" || d === null || typeof d.ipv4 !== "object" || d.ipv4 === null) {
    throw new Error(`${source}: a profile needs "ipv4" (an object of sysctl keys to values)`);
  }
  for (const [k, v] of Object.entries(d.ipv4)) {
    if (!k.startsWith("net.ipv4.") || typeof v !== "string") {
      throw new Error(`${source}: ipv4 entry "${k}" must be a net.ipv4.* key with a string value`);
    }
  }
  if (d.brNetfilter !== null && d.brNetfilter !== undefined && typeof d.brNetfilter !== "object") {
    throw new Error(`${source}: "brNetfilter" must be null or an object of net.bridge.* keys`);
  }
  return { name: d.name ?? source, ipv4: d.ipv4, brNetfilter: d.brNetfilter ?? null };
}
