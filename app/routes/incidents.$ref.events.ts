import type { LoaderFunctionArgs } from "@remix-run/node";
import { eventBus } from "~/lib/event-bus.server";
import { eventStreamResponse, lastEventIdOf, mayOpenStream } from "~/lib/event-stream.server";
import { requireIncidentRoute } from "~/lib/guards.server";
import { signedInNow } from "~/lib/session.server";
import { DomainError, NotFound } from "~/models/errors";
import { keepPresent, leaving } from "~/models/live-session.server";
import { CHANGES_PER_READ, changesAfter } from "~/models/live.server";

/** How often an open stream checks that its reader is still signed in and may still see the incident. */
const RECHECK_MS = 15_000;

/** Presence streams open in this process, by incident and person: someone leaves when their last one closes. */
const presenceStreams = new Map<string, number>();

/**
 * The incident's changes as they happen (Server-Sent Events), for someone who may see it: from the
 * last one the client has (Last-Event-ID, or `after` for the page's first connection), then each
 * new one: "change" events as its history moves on, "session" events as a live session does. It
 * ends, saying why, when they sign out, are removed or may no longer see the incident. With
 * `presence=1` (the session page, the present view) the reader is "here" in the live session
 * while the stream is open.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, incident } = await requireIncidentRoute(request, params.ref);
  if (!mayOpenStream(user.id)) {
    throw new Response("Too many live pages open at once: close a Hindsight tab and reload.", { status: 429 });
  }
  let last = lastEventIdOf(request);
  const present = new URL(request.url).searchParams.get("presence") === "1";
  return eventStreamResponse(request, user.id, async (writer) => {
    // One read at a time, in order: an announcement during a read is picked up by the next one.
    let reading = Promise.resolve();
    const catchUp = () => {
      reading = reading
        .then(async () => {
          if (writer.ended) return;
          const viewer = await signedInNow(request);
          if (!viewer) return writer.end("closed", { reason: "signed-out" });
          for (;;) {
            const changes = await changesAfter(viewer, incident.id, last);
            for (const change of changes) {
              writer.send(change.seq, change.stream, { seq: change.seq, kind: change.kind, ...change.data });
              last = change.seq;
            }
            if (changes.length < CHANGES_PER_READ) break;
          }
        })
        .catch((error: unknown) => {
          if (error instanceof NotFound) return writer.end("closed", { reason: "no-access" });
          console.error("A live stream failed:", error);
          writer.end();
        });
    };
    const unlisten = eventBus().listen(incident.id, ({ seq }) => {
      if (seq > last) catchUp();
    });
    const key = `${incident.id}:${user.id}`;
    if (present) presenceStreams.set(key, (presenceStreams.get(key) ?? 0) + 1);
    const here = () => {
      if (!present || writer.ended) return;
      // Refused once they may no longer see the incident: the stream closes on its next read.
      keepPresent(user, incident.id).catch((error: unknown) => {
        if (!(error instanceof DomainError)) console.error("Presence failed:", error);
      });
    };
    const recheck = setInterval(() => {
      catchUp();
      here();
    }, RECHECK_MS);
    catchUp();
    here();
    return () => {
      unlisten();
      clearInterval(recheck);
      if (!present) return;
      const left = (presenceStreams.get(key) ?? 1) - 1;
      if (left > 0) return void presenceStreams.set(key, left);
      presenceStreams.delete(key);
      leaving(user, incident.id).catch((error: unknown) => console.error("Presence failed:", error));
    };
  });
}
