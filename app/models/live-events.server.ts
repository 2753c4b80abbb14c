import { eq, max } from "drizzle-orm";
import { afterCommit, schema, type Tx } from "~/lib/db.server";
import { eventBus } from "~/lib/event-bus.server";

// Writing to an incident's event stream (read in live.server.ts). Apart from the models that
// write to it, so the history (audit.server.ts) can write without depending on them.

const { liveEvents } = schema;

/** "change": the incident's history moved on; "session": a live session's state did. */
export type LiveStream = "change" | "session";

/**
 * Adds an event to the incident's stream, in the transaction of the change it tells of; once that
 * commits, the streams watching the incident hear of it (app/lib/event-bus.server.ts).
 */
export async function streamEvent(tx: Tx, incidentId: number, stream: LiveStream, kind: string, data: Record<string, unknown> = {}) {
  // Numbered among the incident's own events; one writer at a time (the transaction's lock).
  const last = await tx.select({ n: max(liveEvents.number) }).from(liveEvents).where(eq(liveEvents.incidentId, incidentId)).get();
  const seq = (last?.n ?? 0) + 1;
  await tx.insert(liveEvents).values({ incidentId, number: seq, stream, kind, data: JSON.stringify(data) }).run();
  afterCommit(() => eventBus().announce({ incidentId, seq }));
}
