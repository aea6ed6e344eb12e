// The walk as `packetwalk walk --json` prints it (docs/walk-json.md). The model names the
// root namespace ROOT_NS ("") everywhere; the JSON keeps the spelling it has always had:
// "(root)" in probes, steps, fates and events, "" in the netfilter trace and its
// differences. Events carry their machine as a name with its namespace in brackets.
import { machineName, nsDisplay } from "../backend/trace-types.js";
import type { ProbeResult, Walk, WalkEvent, WalkPacket } from "./types.js";

export interface WalkEventJson {
  time: number;
  /** The machine, with its namespace in brackets ("neigh 10.0.0.2 dev va [a]"). */
  machine: string;
  /** The namespace alone ("(root)" for the script's own). */
  ns: string;
  state: string;
}

export type WalkJson = Omit<Walk, "sim"> & {
  sim?: { probe: ProbeResult; packets: WalkPacket[]; events: WalkEventJson[] };
};

export function walkJson(walk: Walk): WalkJson {
  const { sim, kernel } = walk;
  const probe = (p: ProbeResult): ProbeResult => ({ ...p, ns: nsDisplay(p.ns) });
  // Spread first, then replaced: the keys keep their order (sim's is replaced below).
  return {
    ...(walk as Omit<Walk, "sim">),
    ...(sim
      ? {
          sim: {
            probe: probe(sim.probe),
            packets: sim.packets.map(packetJson),
            events: sim.events.map(eventJson),
          },
        }
      : {}),
    ...(kernel ? { kernel: { ...kernel, probe: probe(kernel.probe) } } : {}),
  };
}

function packetJson({ fields: _f, ...p }: WalkPacket): WalkPacket {
  return {
    ...p,
    // point, hop and machine are the model's own (the fields of the step say the same, stably).
    steps: p.steps.map(({ point: _p, hop: _h, machine: _m, ...s }) => ({
      ...s,
      ns: nsDisplay(s.ns),
    })),
    fate: { ...p.fate, ns: nsDisplay(p.fate.ns) },
  };
}

function eventJson(e: WalkEvent): WalkEventJson {
  const ns = nsDisplay(e.machine.ns);
  return { time: e.time, machine: `${machineName(e.machine)} [${ns}]`, ns, state: e.state };
}
