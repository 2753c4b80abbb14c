import pg from "pg";
import { inProcessBus, READ_AGAIN, type Announcement, type EventBus } from "./event-bus.server";

// The event bus of several instances on one PostgreSQL database: an announcement is a NOTIFY on
// one channel, sent on the pool after the change committed, and every instance, this one too,
// hears it on a connection of its own that LISTENs, and tells its own listeners. The announcing
// instance hears itself through PostgreSQL, as any other does, so no listener hears twice.
//
// What the bus carries is only where to look (event-bus.server.ts): a notification lost while the
// listening connection was down costs nothing but time. The connection is opened again, with a
// growing pause, and once it is back every listener is told to read again; each stream reads from
// the last event it sent, so it gets exactly what it missed.

/** The channel every instance of one database listens on. */
export const BUS_CHANNEL = "hindsight_live";

/** Pauses before each attempt to listen again: doubling from this, up to the longest. */
const FIRST_PAUSE_MS = 200;
const LONGEST_PAUSE_MS = 10_000;

export type PostgresBus = EventBus & {
  /** Stops listening and closes the bus's own connection (and its pool, when given a URL). */
  close(): Promise<void>;
  /** Resolves once the bus listens (again, after a drop). */
  listening(): Promise<void>;
};

/**
 * The bus on `source`'s database: announcements go out on the pool (or, given a URL, on a small
 * pool of the bus's own); one connection outside the pool listens, since a pooled one would be
 * handed to other work.
 */
export function postgresBus(source: pg.Pool | string): PostgresBus {
  const ownPool = typeof source === "string" ? new pg.Pool({ connectionString: source, max: 2, application_name: "hindsight-bus" }) : undefined;
  // A pooled connection ended from the server's side while idle (a restart, a failover) is
  // dropped by the pool and opened again when next needed; unheard, it would throw.
  ownPool?.on("error", (error) => console.error(JSON.stringify({ bus: "postgres", idleConnectionLost: error.message })));
  const pool = ownPool ?? (source as pg.Pool);
  const local = inProcessBus();
  let client: pg.Client | undefined;
  let closed = false;
  let down = false;
  let pause = FIRST_PAUSE_MS;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let connected: Promise<void>;

  const hear = (message: pg.Notification) => {
    if (message.channel !== BUS_CHANNEL || !message.payload) return;
    let announcement: Announcement;
    try {
      announcement = JSON.parse(message.payload) as Announcement;
    } catch {
      return;
    }
    if (Number.isSafeInteger(announcement.incidentId) && Number.isSafeInteger(announcement.seq)) local.announce(announcement);
  };

  const lost = (error?: Error) => {
    if (closed) return;
    client?.removeAllListeners("end");
    client = undefined;
    // Said once per outage, not on every attempt.
    if (!down) console.error(JSON.stringify({ bus: "postgres", listening: "lost", error: error?.message, retrying: true }));
    down = true;
    clearTimeout(retry);
    retry = setTimeout(() => void (connected = listen()), pause);
    retry.unref();
    pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  };

  const listen = async () => {
    const next = new pg.Client({ ...pool.options, application_name: "hindsight-bus" });
    next.on("notification", hear);
    // An error on the connection is followed by its end, which reconnects.
    next.on("error", () => {});
    next.on("end", () => lost());
    try {
      await next.connect();
      await next.query(`listen ${BUS_CHANNEL}`);
    } catch (error) {
      next.removeAllListeners("end");
      void next.end().catch(() => {});
      lost(error as Error);
      return;
    }
    if (closed) return void (await next.end().catch(() => {}));
    client = next;
    pause = FIRST_PAUSE_MS;
    if (!down) return;
    down = false;
    console.error(JSON.stringify({ bus: "postgres", listening: "again" }));
    // What was announced meanwhile was not heard: every stream reads again from its last event.
    for (const incidentId of local.incidents()) local.announce({ incidentId, seq: READ_AGAIN });
  };
  connected = listen();

  return {
    announce({ incidentId, seq }) {
      pool.query("select pg_notify($1, $2)", [BUS_CHANNEL, JSON.stringify({ incidentId, seq })]).catch((error: Error) => {
        // Listeners pick the change up on their next read (a stream reads again every few seconds).
        console.error(JSON.stringify({ bus: "postgres", announce: "failed", error: error.message }));
      });
    },
    listen: local.listen,
    async listening() {
      // After a drop, each attempt replaces the one awaited: wait until one holds.
      for (let last; last !== connected; ) await (last = connected);
      while (down && !closed) {
        await new Promise((wake) => setTimeout(wake, FIRST_PAUSE_MS));
        await connected;
      }
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const open = client;
      client = undefined;
      if (open) {
        open.removeAllListeners("end");
        await open.end().catch(() => {});
      }
      if (ownPool) await ownPool.end();
    },
  };
}
