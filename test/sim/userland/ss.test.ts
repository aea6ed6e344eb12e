// ss in the simulator: the texts below are iproute2 6.1's own, captured from `ss` run
// on the kernel in a scratch namespace with the same listeners (pids aside: those are
// the simulator's, 100 on).
import { describe, expect, it } from "vitest";
import { Lab } from "./ip-helpers.js";

function listeners(): Lab {
  const l = new Lab();
  l.setup(
    "ip link set lo up",
    "nc -lk 8080 &",
    "nc -lk 127.0.0.1 9090 &",
    "nc -lku 5353 &",
    "nc -lk 22 &",
  );
  return l;
}

describe("ss", () => {
  it("lists TCP listeners with ss's compact columns", () => {
    expect(listeners().out("ss -tln")).toBe(
      "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n" +
        "LISTEN 0      1            0.0.0.0:8080      0.0.0.0:*          \n" +
        "LISTEN 0      1          127.0.0.1:9090      0.0.0.0:*          \n" +
        "LISTEN 0      1            0.0.0.0:22        0.0.0.0:*          \n",
    );
  });

  it("names the process holding each socket with -p", () => {
    expect(listeners().out("ss -ulnp")).toBe(
      "State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess                     \n" +
        'UNCONN 0      0            0.0.0.0:5353      0.0.0.0:*    users:(("nc",pid=102,fd=3))\n',
    );
  });

  it("adds a Netid column for two tables, and service names without -n", () => {
    expect(listeners().out("ss -tul")).toBe(
      "Netid State  Recv-Q Send-Q Local Address:Port     Peer Address:PortProcess\n" +
        "udp   UNCONN 0      0            0.0.0.0:mdns          0.0.0.0:*          \n" +
        "tcp   LISTEN 0      1            0.0.0.0:http-alt      0.0.0.0:*          \n" +
        "tcp   LISTEN 0      1          127.0.0.1:9090          0.0.0.0:*          \n" +
        "tcp   LISTEN 0      1            0.0.0.0:ssh           0.0.0.0:*          \n",
    );
  });

  it("leaves out the State column when one state is shown, the header with -H", () => {
    const l = listeners();
    expect(l.out("ss -un")).toBe("Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n");
    expect(l.out("ss -tlnH")).toBe(
      "LISTEN 0      1        0.0.0.0:8080 0.0.0.0:*\n" +
        "LISTEN 0      1      127.0.0.1:9090 0.0.0.0:*\n" +
        "LISTEN 0      1        0.0.0.0:22   0.0.0.0:*\n",
    );
  });

  it("keeps the probing side of a closed connection in TIME-WAIT (-a)", () => {
    const l = listeners();
    l.setup("nc -z 127.0.0.1 8080");
    const lines = l.out("ss -tan").split("\n");
    expect(lines[0]).toBe("State     Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess");
    // The probe's port is an ephemeral one, five digits.
    expect(lines.at(-2)!.replace(/:\d{5} /, ":PPPPP ")).toBe(
      "TIME-WAIT 0      0          127.0.0.1:PPPPP    127.0.0.1:8080       ",
    );
    expect(l.out("ss -tn")).toBe(
      "State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n",
    );
  });
});
