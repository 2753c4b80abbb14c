import { scheduledMoment, sendDigest } from "~/models/digest.server";
import { endIdleSessions } from "~/models/live-session.server";
import { runReminders } from "~/models/reminder.server";
import { holdLease } from "~/models/lease.server";
import { getSettings } from "~/models/settings.server";
import { dateIn, hourIn } from "./time";
import { env } from "./env.server";

let started = false;

/** The lease the schedule's work is done under, and how long one take of it lasts: a few ticks. */
export const SCHEDULE_LEASE = "schedule";
const LEASE_MS = 3 * 60_000;

/**
 * The daily reminder run and the weekly digest, inside the server process: once a minute it
 * checks whether the configured day and hour have come in the configured time zone and the run
 * has not happened yet. A restart may run one again; the outbox keys make that send nothing twice,
 * and a digest is sent only if none was since the scheduled moment (an admin may have sent one).
 * Live sessions left open without activity end on the same tick, so their history says when.
 * Where several processes share the database, only the one holding the schedule's lease does the
 * work; it renews the lease on each tick, and another takes over within minutes if it stops.
 */
export function startScheduler() {
  if (started || env().SCHEDULER === "false") return;
  started = true;
  let remindedOn: string | undefined;
  let digested: string | undefined;
  let holding: boolean | undefined;
  const tick = async () => {
    const held = await holdLease(SCHEDULE_LEASE, LEASE_MS);
    // Said when it changes: which process does the work is in its log.
    if (held !== holding) console.log(JSON.stringify({ job: "schedule", lease: held ? "taken" : "held by another process" }));
    holding = held;
    if (!held) return;
    const { timeZone, reminderHour } = await getSettings();
    const now = new Date();
    const today = dateIn(timeZone, now);
    const hour = hourIn(timeZone, now);
    if (remindedOn !== today && hour >= reminderHour) {
      remindedOn = today;
      console.log(JSON.stringify({ job: "reminders", ...(await runReminders(now)) }));
    }
    const idle = await endIdleSessions();
    if (idle > 0) console.log(JSON.stringify({ job: "idle-sessions", ended: idle }));
    const due = await scheduledMoment(now);
    if (digested !== due) {
      digested = due;
      console.log(JSON.stringify({ job: "digest", ...(await sendDigest({ trigger: "schedule", now, dueSince: due })) }));
    }
  };
  const run = () => tick().catch((error) => console.error("Reminder run failed:", error));
  setInterval(() => void run(), 60_000).unref();
  void run();
}
