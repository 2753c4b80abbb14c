import { inProcessBus, type Announcement, type EventBus } from "./event-bus.server";

// The event bus of several server processes on one machine (node:cluster, server.js): an
// announcement is told to this process's own listeners at once and sent to the primary process,
// which passes it on to every other server process (ADR 0036). What the bus carries is only where
// to look (event-bus.server.ts), so a message lost while a process restarts costs nothing but time.

/** The type of the messages between the server processes and their primary (server.js relays them). */
export const BUS_MESSAGE = "hindsight:live";

type BusMessage = { type: typeof BUS_MESSAGE } & Announcement;

function isBusMessage(message: unknown): message is BusMessage {
  const m = message as Partial<BusMessage> | null;
  return m?.type === BUS_MESSAGE && Number.isSafeInteger(m.incidentId) && Number.isSafeInteger(m.seq);
}

/** The bus of a server process started by the primary (`process.send` is its channel to it). */
export function clusterBus(): EventBus {
  const local = inProcessBus();
  process.on("message", (message: unknown) => {
    if (isBusMessage(message)) local.announce({ incidentId: message.incidentId, seq: message.seq });
  });
  return {
    announce(announcement) {
      local.announce(announcement);
      // The primary may be going (the machine is stopping): this process's own listeners were told,
      // and a message that cannot be sent is dropped rather than thrown.
      if (process.connected) process.send?.({ type: BUS_MESSAGE, incidentId: announcement.incidentId, seq: announcement.seq } satisfies BusMessage, undefined, undefined, () => {});
    },
    listen: local.listen,
  };
}
