import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { addTimeline, addWhyTree, advanceTo, createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { STREAMS_PER_PERSON } from "~/lib/event-stream.server";
import { setPeople } from "~/models/incident.server";
import type { User } from "~/models/user.server";
import { latestChange } from "~/models/live.server";
import { addWhy } from "~/models/why.server";
import * as events from "~/routes/incidents.$ref.events";
import { freshDatabase, sessionCookie } from "./helpers";

// The incident's live stream (Server-Sent Events): every change, from wherever it is made, reaches
// those watching in order, once; a reconnect gets exactly what it missed; the stream closes when
// its reader may no longer see the incident. Order is asserted, never time.

type Received = { id?: string; event?: string; data?: unknown };

/** Opens the stream as `user`, and reads its events as they come. */
async function open(user: User, reference: string, headers: Record<string, string> = {}, after?: number) {
  // As a page opens it: after the last change the page already shows.
  after ??= headers["Last-Event-ID"] ? undefined : await latestChange(Number(reference.slice(4)));
  const abort = new AbortController();
  const url = `http://localhost/incidents/${reference}/events${after === undefined ? "" : `?after=${after}`}`;
  const request = new Request(url, { headers: { cookie: await sessionCookie(user.id), ...headers }, signal: abort.signal });
  const response = (await events.loader({ request, params: { ref: reference }, context: {} } as never)) as Response;
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  const received: Received[] = [];
  const pump = (async () => {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event: Received = {};
        for (const line of block.split("\n")) {
          const [field, ...rest] = line.split(": ");
          const value = rest.join(": ");
          if (field === "id") event.id = value;
          if (field === "event") event.event = value;
          if (field === "data") event.data = JSON.parse(value);
        }
        if (event.event) received.push(event);
      }
    }
    done = true;
  })();
  /** Waits until `count` events have come (or the stream ended). */
  const until = async (count: number) => {
    while (received.length < count && !done) await new Promise((resolve) => setTimeout(resolve, 5));
    return received;
  };
  return { response, received, until, ended: () => done, close: () => abort.abort(), pump };
}

let facilitator: User;
let reader: User;
beforeEach(async () => {
  await freshDatabase();
  facilitator = await createUser({ name: "Avery" });
  reader = await createUser({ name: "Casey" });
});

async function analysis(visibility: "org" | "restricted" = "org") {
  const incident = await createIncident(facilitator, { visibility });
  await advanceTo(facilitator, incident.id, "analysis");
  return incident;
}

describe("an incident's live stream", () => {
  it("is an uncompressed event stream that tells the reader of each change, in order", async () => {
    const incident = await analysis();
    const stream = await open(reader, incident.reference);
    expect(stream.response.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    await addWhyTree(facilitator, incident.id, [{ question: "Why was the site down?", answer: "The CPU was saturated." }]);
    await addTimeline(facilitator, incident.id, [{ at: "2026-10-06T14:05:00Z", text: "Paged." }]);
    const got = await stream.until(2);
    expect(got.map((e) => e.event)).toEqual(["change", "change"]);
    expect(got.map((e) => (e.data as { kind: string }).kind)).toEqual(["why.added", "timeline.added"]);
    expect(Number(got[1].id)).toBeGreaterThan(Number(got[0].id));
    // A change carries its number and kind only: what changed is read through the page, with the reader's rights.
    expect(Object.keys(got[0].data as object).sort()).toEqual(["kind", "seq"]);
    stream.close();
  });

  it("gives a client that reconnects with Last-Event-ID exactly what it missed, once", async () => {
    const incident = await analysis();
    const first = await open(reader, incident.reference);
    await addWhyTree(facilitator, incident.id, [{ question: "Why one?", answer: "One." }]);
    const [seen] = await first.until(1);
    first.close();
    await addWhyTree(facilitator, incident.id, [{ question: "Why two?", answer: "Two." }, { question: "Why three?", answer: "Three." }]);
    const again = await open(reader, incident.reference, { "Last-Event-ID": seen.id! });
    const missed = await again.until(2);
    expect(missed.map((e) => e.id)).toEqual([...new Set(missed.map((e) => e.id))]);
    expect(missed).toHaveLength(2);
    expect(missed.every((e) => Number(e.id) > Number(seen.id))).toBe(true);
    // Nothing more than what was missed.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(again.received).toHaveLength(2);
    again.close();
  });

  it("starts after the change the page already shows (`after`)", async () => {
    const incident = await analysis();
    await addWhyTree(facilitator, incident.id, [{ question: "Why one?", answer: "One." }]);
    const shown = await latestChange(incident.id);
    const stream = await open(reader, incident.reference, {}, shown);
    await addWhyTree(facilitator, incident.id, [{ question: "Why two?", answer: "Two." }]);
    const got = await stream.until(1);
    expect(got.map((e) => (e.data as { kind: string }).kind)).toEqual(["why.added"]);
    stream.close();
  });

  it("closes, saying so, when its reader may no longer see the incident, and sends nothing more", async () => {
    const participant = await createUser({ name: "Blake" });
    const incident = await analysis("restricted");
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    const stream = await open(participant, incident.reference);
    await setPeople(facilitator, incident.id, facilitator.id, []);
    await addWhy(facilitator, incident.id, null, { question: "Why secret?", answer: "A secret answer.", category: "", remediationMd: "", noRemediationReason: "", noActionReason: "", rootReached: false });
    await stream.pump;
    expect(stream.received.at(-1)).toEqual({ event: "closed", data: { reason: "no-access" } });
    expect(stream.received.some((e) => (e.data as { kind?: string }).kind === "why.added")).toBe(false);
  });

  it("closes when its reader signs out", async () => {
    const incident = await analysis();
    const stream = await open(reader, incident.reference);
    await db().delete(schema.sessions).where(eq(schema.sessions.userId, reader.id)).run();
    await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "Because." }]);
    await stream.pump;
    expect(stream.received.at(-1)).toEqual({ event: "closed", data: { reason: "signed-out" } });
  });

  it("refuses a person more streams than a browser's connections allow", async () => {
    const incident = await analysis();
    const streams = [];
    for (let i = 0; i < STREAMS_PER_PERSON; i++) streams.push(await open(reader, incident.reference));
    const refused = await open(reader, incident.reference).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Response);
    expect((refused as Response).status).toBe(429);
    streams[0].close();
    await streams[0].pump;
    const another = await open(reader, incident.reference);
    expect(another.response.status).toBe(200);
    another.close();
    for (const s of streams.slice(1)) s.close();
  });

  it("is not for someone who may not see the incident", async () => {
    const incident = await analysis("restricted");
    const refused = await open(reader, incident.reference).catch((error: unknown) => error);
    expect((refused as Response).status).toBe(404);
  });
});
