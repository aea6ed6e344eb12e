// libnetwork's and the daemon's lifecycles as XState machines (the daemon reads state
// from their snapshots, never from a copy of its own):
//
//   container:  created --START--> running --EXIT--> exited --START--> running ...
//                  \                                   /
//                   +------------REMOVE---------------+--> removed
//   network:    active --(ENDPOINT_UP / ENDPOINT_DOWN)--> active --REMOVE [no endpoints]--> removed
//   endpoint:   created --JOIN--> joined --LEAVE--> left --DELETE--> deleted
//
// A network with endpoints cannot be removed (libnetwork network.delete: "has active
// endpoints"). A container's endpoints and its sandbox exist only while it runs: a
// stopped container keeps only its configuration (which networks, which --ip), so
// connecting one changes only that (daemon/container_operations.go).
import { assign, setup, type Actor } from "xstate";

export const containerMachine = setup({
  types: {
    context: {} as { exitCode: number; startedAt: number; finishedAt: number },
    events: {} as
      | { type: "START"; at: number }
      | { type: "EXIT"; code: number; at: number }
      | { type: "REMOVE" },
  },
}).createMachine({
  id: "container",
  context: { exitCode: 0, startedAt: 0, finishedAt: 0 },
  initial: "created",
  states: {
    created: {
      on: {
        START: { target: "running", actions: assign({ startedAt: ({ event }) => event.at }) },
        REMOVE: "removed",
      },
    },
    running: {
      on: {
        EXIT: {
          target: "exited",
          actions: assign({
            exitCode: ({ event }) => event.code,
            finishedAt: ({ event }) => event.at,
          }),
        },
      },
    },
    exited: {
      on: {
        START: { target: "running", actions: assign({ startedAt: ({ event }) => event.at }) },
        REMOVE: "removed",
      },
    },
    removed: { type: "final" },
  },
});

export const networkMachine = setup({
  types: {
    context: {} as { endpoints: number },
    events: {} as { type: "ENDPOINT_UP" } | { type: "ENDPOINT_DOWN" } | { type: "REMOVE" },
  },
  guards: { unused: ({ context }) => context.endpoints === 0 },
}).createMachine({
  id: "network",
  context: { endpoints: 0 },
  initial: "active",
  states: {
    active: {
      on: {
        ENDPOINT_UP: { actions: assign({ endpoints: ({ context }) => context.endpoints + 1 }) },
        ENDPOINT_DOWN: { actions: assign({ endpoints: ({ context }) => context.endpoints - 1 }) },
        REMOVE: { target: "removed", guard: "unused" },
      },
    },
    removed: { type: "final" },
  },
});

export const endpointMachine = setup({
  types: { events: {} as { type: "JOIN" } | { type: "LEAVE" } | { type: "DELETE" } },
}).createMachine({
  id: "endpoint",
  initial: "created",
  states: {
    created: { on: { JOIN: "joined", DELETE: "deleted" } },
    joined: { on: { LEAVE: "left" } },
    left: { on: { DELETE: "deleted" } },
    deleted: { type: "final" },
  },
});

export type ContainerActor = Actor<typeof containerMachine>;
export type NetworkActor = Actor<typeof networkMachine>;
export type EndpointActor = Actor<typeof endpointMachine>;
