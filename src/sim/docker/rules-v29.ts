// Current Docker's (Engine v29) iptables layout for bridge networks, as moby's own
// generated documentation lists it (integration/network/bridge/iptablesdoc; copies in
// ../shared/reference/docker-current-rules/). Compared with 20.10: FORWARD only jumps to
// DOCKER-USER (created empty) and DOCKER-FORWARD, which jumps to DOCKER-CT (established),
// DOCKER-INTERNAL (--internal networks' drops) and DOCKER-BRIDGE (-o br -j DOCKER), then
// accepts what leaves each bridge; DOCKER ends with a DROP per bridge for what was not
// published; no isolation chains, no `-i br -j RETURN` in nat DOCKER; a published port on
// a container with a published port gets a raw PREROUTING DROP of direct access to it.
// Each function takes the iptables arguments runner of the daemon, so every rule is still
// a lab line the learner sees.

type Ipt = (args: string) => void;

export interface V29Network {
  bridge: string;
  subnet: string;
  internal: boolean;
  icc: boolean;
  masquerade: boolean;
  proxy: boolean;
}

export interface V29Port {
  bridge: string;
  hostIp: string;
  hostPort: number;
  ip: string;
  port: number;
  proto: "tcp" | "udp";
  proxy: boolean;
  /** The endpoint's first published port: its raw guard comes with it. */
  first: boolean;
}

/** The chains a v29 daemon makes at its start (before the default bridge). */
export function bootV29(ipt: Ipt): void {
  ipt("-t nat -N DOCKER");
  for (const c of [
    "DOCKER",
    "DOCKER-BRIDGE",
    "DOCKER-CT",
    "DOCKER-FORWARD",
    "DOCKER-INTERNAL",
    "DOCKER-USER",
  ]) {
    ipt(`-t filter -N ${c}`);
  }
  ipt("-A FORWARD -j DOCKER-USER");
  ipt("-A FORWARD -j DOCKER-FORWARD");
  ipt("-A DOCKER-FORWARD -j DOCKER-CT");
  ipt("-A DOCKER-FORWARD -j DOCKER-INTERNAL");
  ipt("-A DOCKER-FORWARD -j DOCKER-BRIDGE");
}

/** A bridge network's rules ("-A"/"-I" to add, "-D" to remove); first says the nat jumps are new. */
export function networkV29(ipt: Ipt, op: "add" | "del", n: V29Network, first: boolean): void {
  const A = op === "add" ? "-A" : "-D";
  const I = op === "add" ? "-I" : "-D";
  const br = n.bridge;
  if (n.internal) {
    ipt(`${I} DOCKER-INTERNAL -i ${br} ! -d ${n.subnet} -j DROP`);
    ipt(`${I} DOCKER-INTERNAL -o ${br} ! -s ${n.subnet} -j DROP`);
    ipt(`${A} DOCKER-FORWARD -i ${br} -o ${br} -j ${n.icc ? "ACCEPT" : "DROP"}`);
    return;
  }
  if (n.masquerade) ipt(`-t nat ${I} POSTROUTING -s ${n.subnet} ! -o ${br} -j MASQUERADE`);
  if (!n.proxy) ipt(`-t nat ${I} POSTROUTING -o ${br} -m addrtype --src-type LOCAL -j MASQUERADE`);
  if (first && op === "add") {
    ipt("-t nat -A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER");
    ipt(
      `-t nat -A OUTPUT ${n.proxy ? "! -d 127.0.0.0/8 " : ""}-m addrtype --dst-type LOCAL -j DOCKER`,
    );
  }
  ipt(`${A} DOCKER-CT -o ${br} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
  ipt(`${A} DOCKER-BRIDGE -o ${br} -j DOCKER`);
  ipt(`${A} DOCKER ! -i ${br} -o ${br} -j DROP`);
  if (n.icc) ipt(`${A} DOCKER-FORWARD -i ${br} -j ACCEPT`);
  else {
    ipt(`${A} DOCKER-FORWARD -i ${br} -o ${br} -j DROP`);
    ipt(`${A} DOCKER-FORWARD -i ${br} ! -o ${br} -j ACCEPT`);
  }
}

/** A published port: the filter ACCEPT (above the bridge's DROP), the DNAT, the raw guard. */
export function portV29(ipt: Ipt, op: "add" | "del", p: V29Port): void {
  const I = op === "add" ? "-I" : "-D";
  const A = op === "add" ? "-A" : "-D";
  const m = `-p ${p.proto} -m ${p.proto}`;
  const dst = p.hostIp === "0.0.0.0" ? "" : `-d ${p.hostIp}/32 `;
  const hairpin = p.proxy ? `! -i ${p.bridge} ` : "";
  ipt(
    `-t filter ${I} DOCKER -d ${p.ip}/32 ! -i ${p.bridge} -o ${p.bridge} ${m} --dport ${p.port} -j ACCEPT`,
  );
  ipt(
    `-t nat ${A} DOCKER ${dst}${hairpin}${m} --dport ${p.hostPort} -j DNAT --to-destination ${p.ip}:${p.port}`,
  );
  if (!p.proxy) {
    ipt(`-t nat ${A} POSTROUTING -s ${p.ip}/32 -d ${p.ip}/32 ${m} --dport ${p.port} -j MASQUERADE`);
  }
  // One guard per container against direct routing to it; a port bound to a loopback
  // address also drops what reaches that address from anywhere but lo.
  if (p.first) ipt(`-t raw ${A} PREROUTING -d ${p.ip}/32 ! -i ${p.bridge} -j DROP`);
  if (p.hostIp.startsWith("127.")) {
    ipt(`-t raw ${A} PREROUTING -d ${p.hostIp}/32 ! -i lo ${m} --dport ${p.hostPort} -j DROP`);
  }
}
