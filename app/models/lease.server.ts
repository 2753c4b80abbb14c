import crypto from "node:crypto";
import os from "node:os";
import { and, eq, sql } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";

// Scheduled work (the reminders, the digest's schedule, ending idle sessions) runs in whichever
// process holds its lease: several processes on one machine, or several instances on one
// database, each try to take it every minute, and one does. The lease is a row with an expiry,
// taken or renewed in one statement, so it works the same on SQLite (one writer at a time) and on
// any database with row locks. The outbox keys stay the guarantee that nothing is sent twice; the
// lease makes the work run once. docs/decisions/0032-leases-for-scheduled-work.md

const { leases } = schema;

/** This process, as a lease names its holder: its host, its process id and a part unique to this start. */
export const THIS_PROCESS = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString("hex")}`;

/**
 * Takes the lease `name` for `holder` until `ttlMs` from now, or renews it if the holder has it;
 * refused while another holder's lease has not expired. Returns whether the holder has it now.
 */
export async function holdLease(name: string, ttlMs: number, holder: string = THIS_PROCESS, now: Date = new Date()): Promise<boolean> {
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString();
  const row = await db()
    .insert(leases)
    .values({ name, holder, expiresAt })
    .onConflictDoUpdate({
      target: leases.name,
      set: { holder, expiresAt },
      setWhere: sql`${leases.holder} = ${holder} or ${leases.expiresAt} <= ${now.toISOString()}`,
    })
    .returning({ holder: leases.holder })
    .get();
  return row?.holder === holder;
}

/** Lets the lease go at once (a process stopping), if the holder has it: another may take it on its next try. */
export async function releaseLease(name: string, holder: string = THIS_PROCESS): Promise<void> {
  await db().delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder))).run();
}
