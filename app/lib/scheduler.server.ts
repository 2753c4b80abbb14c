import { scheduledMoment, sendDigest } from "~/models/digest.server";
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
