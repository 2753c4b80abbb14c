import { scheduledMoment, sendDigest } from "~/models/digest.server";
import { endIdleSessions } from "~/models/live-session.server";
import { runReminders } from "~/models/reminder.server";
import { getSettings } from "~/models/settings.server";
import { dateIn, hourIn } from "./time";
import { env } from "./env.server";

let started = false;

/**
 * The daily reminder run and the weekly digest, inside the server process: once a minute it
 * checks whether the configured day and hour have come in the configured time zone and the run
 * has not happened yet. A restart may run one again; the outbox keys make that send nothing twice,
 * and a digest is sent only if none was since the scheduled moment (an admin may have sent one).
 * Live sessions left open without activity end on the same tick, so their history says when.
 */
export function startScheduler() {
  if (started || env().SCHEDULER === "false") return;
  started = true;
  let remindedOn: string | undefined;
  let digested: string | undefined;
  const tick = async () => {
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
