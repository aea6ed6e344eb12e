// The daemon's identifiers. Real dockerd draws them from crypto/rand (container and
// network ids: 32 random bytes in hex; veth names: "veth" + 7 hex); here they come from a
// seeded generator of the daemon's own, so one script gives one output. The comparison
// with the kernel normalises them (ids, br-<id>, veth names).
import { SeededRandom } from "../engine/random.js";

export class DockerIds {
  private rng = new SeededRandom(0x0d0c4e12);

  /** n lowercase hex digits. */
  hex(n: number): string {
    let s = "";
    while (s.length < n) s += this.rng.u32().toString(16).padStart(8, "0");
    return s.slice(0, n);
  }

  /** stringid.GenerateRandomID: 64 hex digits, never all digits (the CLI would read it as a number). */
  id(): string {
    for (;;) {
      const id = this.hex(64);
      if (/[a-f]/.test(id.slice(0, 12))) return id;
    }
  }

  /** netutils.GenerateRandomMAC: 02:42 and four random bytes (the bridge's address). */
  mac(): string {
    const h = this.hex(8);
    return `02:42:${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}:${h.slice(6, 8)}`;
  }
}

/** netutils.GenerateMACFromIP: 02:42 and the four bytes of the IPv4 address. */
export function macFromIp(ip: number): string {
  const b = [ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255];
  return ["02", "42", ...b.map((x) => x.toString(16).padStart(2, "0"))].join(":");
}
