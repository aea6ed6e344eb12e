// `ss` (iproute2 6.1) for TCP and UDP sockets over IPv4: -t -u -l -a -n -p -H -4, with
// ss's columns as it lays them out when its output is not a terminal (render_calc_width's
// compact output: each column as wide as its widest entry, header included).
import type { CommandResult } from "../../backend.js";
import { ssOptions } from "../../script/programs/ss.js";
import type { TcpState } from "../engine/machines/tcp.js";
import {
  formatIp4,
  type Ip4,
  type NetNs,
  localPortRange,
  type SockOwner,
} from "../kernel/netlink/index.js";
import { notSimulatedResult } from "./not-simulated.js";
import type { ProgramContext } from "./program.js";
import { serviceByPort } from "./services.js";

/** The options modelled here; ss's other ones answer "not simulated". */
const MODELLED = new Set(["t", "u", "l", "a", "n", "p", "H", "4"]);

/** ss's socket states (sstate_name) by the simulator's TCP state. */
const STATE_NAME: Record<TcpState, string> = {
  CLOSED: "UNCONN",
  LISTEN: "LISTEN",
  SYN_SENT: "SYN-SENT",
  SYN_RECV: "SYN-RECV",
  ESTABLISHED: "ESTAB",
  FIN_WAIT1: "FIN-WAIT-1",
  FIN_WAIT2: "FIN-WAIT-2",
  CLOSING: "CLOSING",
  TIME_WAIT: "TIME-WAIT",
  CLOSE_WAIT: "CLOSE-WAIT",
  LAST_ACK: "LAST-ACK",
};

/** SS_CONN: the states ss shows for TCP without -a or -l. */
const TCP_CONN = new Set([
  "ESTAB",
  "SYN-SENT",
  "FIN-WAIT-1",
  "FIN-WAIT-2",
  "CLOSE-WAIT",
  "LAST-ACK",
  "CLOSING",
]);
const ALL_STATES = new Set([...Object.values(STATE_NAME)]);

interface Row {
  netid: "udp" | "tcp";
  state: string;
  recvQ: number;
  sendQ: number;
  laddr: Ip4;
  lport: number;
  raddr: Ip4;
  rport: number;
  owner: SockOwner | undefined;
  /** An AF_INET6 socket on `::` (the addresses print as [::]). */
  v6?: true;
}

/** One column of ss's table (columns[] in ss.c): its alignment and left delimiter. */
interface Column {
  right: boolean;
  delim: string;
  cells: string[];
}

export function ss(ctx: ProgramContext): CommandResult {
  const { options, operands } = ssOptions(ctx.args);
  for (const o of options) {
    if (!MODELLED.has(o)) return notSimulatedResult(`ss ${o.length === 1 ? "-" : "--"}${o}`);
  }
  if (operands.length > 0) return notSimulatedResult(`ss with a filter (${operands[0]})`);
  const tcp = options.includes("t");
  const udp = options.includes("u");
  if (!tcp && !udp) return notSimulatedResult("ss without -t or -u");
  const numeric = options.includes("n");
  const processes = options.includes("p");
  const header = !options.includes("H");

  // The state filter: the last of -l and -a, else each table's default (filter_db_set).
  const last = options.filter((o) => o === "l" || o === "a").pop();
  let states: Set<string>;
  if (last === "a") states = ALL_STATES;
  else if (last === "l") states = new Set(["LISTEN", "UNCONN"]);
  else states = new Set([...(tcp ? TCP_CONN : []), ...(udp ? ["ESTAB"] : [])]);

  // udp_show runs before tcp_show.
  const rows: Row[] = [];
  // Each table's AF_INET sockets, then (without -4) its AF_INET6 ones.
  const v6 = !options.includes("4");
  if (udp) rows.push(...udpRows(ctx.ns, v6).filter((r) => states.has(r.state)));
  if (tcp) rows.push(...tcpRows(ctx.ns, v6).filter((r) => states.has(r.state)));

  const service = (port: number, proto: "tcp" | "udp"): string => {
    if (port === 0) return "*";
    if (numeric) return String(port);
    // __resolve_service: ephemeral ports are never looked up.
    const [lo, hi] = localPortRange(ctx.ns);
    if (port >= lo && port <= hi) return String(port);
    return serviceByPort(port, proto)?.name ?? String(port);
  };

  // The Netid column only with more than one table, State only with more than one state.
  const columns: (Column | undefined)[] = [
    tcp && udp ? { right: false, delim: "", cells: ["Netid"] } : undefined,
    states.size > 1 ? { right: false, delim: " ", cells: ["State"] } : undefined,
    { right: false, delim: " ", cells: ["Recv-Q"] },
    { right: false, delim: " ", cells: ["Send-Q"] },
    { right: true, delim: " ", cells: ["Local Address:"] },
    { right: false, delim: "", cells: ["Port"] },
    { right: true, delim: " ", cells: ["Peer Address:"] },
    { right: false, delim: "", cells: ["Port"] },
    { right: false, delim: "", cells: ["Process"] },
  ];
  for (const r of rows) {
    const cells = [
      r.netid,
      r.state,
      String(r.recvQ).padEnd(6),
      String(r.sendQ).padEnd(6),
      r.v6 ? "[::]:" : `${formatIp4(r.laddr)}:`,
      service(r.lport, r.netid),
      r.v6 ? "[::]:" : `${formatIp4(r.raddr)}:`,
      service(r.rport, r.netid),
      processes && r.owner
        ? ` users:(("${r.owner.comm}",pid=${r.owner.pid},fd=${r.owner.fd}))`
        : "",
    ];
    columns.forEach((c, i) => c?.cells.push(cells[i]!));
  }
  return { exit: 0, stdout: render(columns, header), stderr: "" };
}

/** The IPv6 wildcard sockets of one protocol (sockets/inet6.ts) as rows. */
function v6Rows(ns: NetNs, proto: "tcp" | "udp"): Row[] {
  return ns.inet6
    .list()
    .filter((s) => s.proto === proto)
    .map((s) => ({
      netid: proto,
      state: proto === "tcp" ? "LISTEN" : "UNCONN",
      recvQ: 0,
      sendQ: s.backlog,
      laddr: 0,
      lport: s.port,
      raddr: 0,
      rport: 0,
      owner: s.owner,
      v6: true,
    }));
}

function udpRows(ns: NetNs, v6: boolean): Row[] {
  // An unbound socket is in no hash table: the dump does not find it.
  const v4: Row[] = ns.udp
    .list()
    .filter((s) => s.lport !== 0)
    .map((s) => ({
      netid: "udp",
      state: s.connected ? "ESTAB" : "UNCONN",
      recvQ: 0,
      sendQ: 0,
      laddr: s.laddr,
      lport: s.lport,
      raddr: s.raddr,
      rport: s.rport,
      owner: s.owner,
    }));
  return v6 ? [...v4, ...v6Rows(ns, "udp")] : v4;
}

function tcpRows(ns: NetNs, v6: boolean): Row[] {
  const v4: Row[] = ns.tcp
    .diag()
    .filter((s) => s.state !== "CLOSED")
    .map((s) => ({ netid: "tcp", ...s, state: STATE_NAME[s.state] }));
  return v6 ? [...v4, ...v6Rows(ns, "tcp")] : v4;
}

/**
 * render(): each column as wide as its widest cell plus its delimiter (not the first
 * shown), left-aligned cells padded after, right-aligned ones before.
 */
function render(all: (Column | undefined)[], header: boolean): string {
  const columns = all.filter((c): c is Column => c !== undefined);
  const first = header ? 0 : 1;
  const rows = columns[0]!.cells.length;
  if (rows <= first) return "";
  const widths = columns.map((c, i) => {
    const max = Math.max(0, ...c.cells.slice(first).map((s) => s.length));
    return i > 0 && max > 0 ? max + c.delim.length : max;
  });
  let out = "";
  for (let row = first; row < rows; row++) {
    columns.forEach((c, i) => {
      const cell = c.cells[row]!;
      const delim = i > 0 ? c.delim : "";
      const printed = delim.length + cell.length;
      const pad = Math.max(0, widths[i]! - printed);
      out += c.right ? delim + " ".repeat(pad) + cell : delim + cell + " ".repeat(pad);
    });
    out += "\n";
  }
  return out;
}
