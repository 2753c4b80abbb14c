// Server-Sent Events (text/event-stream): a response that stays open and carries events, each with
// an id the browser sends back as Last-Event-ID when it reconnects, so a client that drops off
// gets exactly what it missed. server.js leaves these responses uncompressed (compression would
// hold events back) and without the send deadline, and ends them when the server stops.

/** A comment line every so often, so that proxies do not close a quiet stream. */
export const HEARTBEAT_MS = 15_000;

/** Open event streams one person may hold at once: a browser allows six connections per site. */
export const STREAMS_PER_PERSON = 4;

export type EventWriter = {
  /** Sends one event; `id` is what the client sends back as Last-Event-ID. */
  send(id: number, event: string, data: unknown): void;
  /** Ends the stream; `event` tells the client why first (it stops reconnecting on it). */
  end(event?: string, data?: unknown): void;
  readonly ended: boolean;
};

const openByPerson = new Map<number, number>();

/** Whether this person may open one more stream. */
export function mayOpenStream(personId: number): boolean {
  return (openByPerson.get(personId) ?? 0) < STREAMS_PER_PERSON;
}

/**
 * An event stream for `personId`, run by `start`, which returns what to do when it ends. It ends
 * when the client goes (the request's signal), when `start` ends it, or when the server stops.
 */
export function eventStreamResponse(request: Request, personId: number, start: (writer: EventWriter) => Promise<() => void>): Response {
  const encoder = new TextEncoder();
  let stop: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  let ended = false;
  openByPerson.set(personId, (openByPerson.get(personId) ?? 0) + 1);
  const finish = () => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    stop?.();
    const left = (openByPerson.get(personId) ?? 1) - 1;
    if (left > 0) openByPerson.set(personId, left);
    else openByPerson.delete(personId);
  };
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const write = (text: string) => {
        if (!ended) controller.enqueue(encoder.encode(text));
      };
      const writer: EventWriter = {
        send: (id, event, data) => write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
        end: (event, data) => {
          if (event) write(`event: ${event}\ndata: ${JSON.stringify(data ?? {})}\n\n`);
          finish();
          controller.close();
        },
        get ended() {
          return ended;
        },
      };
      // A client gone before the stream began (while its loader ran) never hears an abort event.
      if (request.signal.aborted) {
        finish();
        controller.close();
        return;
      }
      request.signal.addEventListener("abort", () => {
        finish();
        try {
          controller.close();
        } catch {
          // Already closed.
        }
      });
      // Reconnect after 3 s if the connection drops; the first line, so the browser knows at once.
      write("retry: 3000\n\n");
      heartbeat = setInterval(() => write(": still here\n\n"), HEARTBEAT_MS);
      try {
        const cleanup = await start(writer);
        if (ended) cleanup();
        else stop = cleanup;
      } catch (error) {
        finish();
        controller.error(error);
      }
    },
    cancel() {
      finish();
    },
  });
  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store, no-transform",
      "X-Accel-Buffering": "no",
    },
  });
}

/** The last event the client has, from Last-Event-ID (a reconnect) or `after` (the page's own). */
export function lastEventIdOf(request: Request): number {
  const given = request.headers.get("Last-Event-ID") ?? new URL(request.url).searchParams.get("after") ?? "";
  const id = Number(given);
  return Number.isSafeInteger(id) && id >= 0 ? id : 0;
}
