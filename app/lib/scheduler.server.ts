import { runReminders } from "~/models/reminder.server";
import { getSettings } from "~/models/settings.server";
import { dateIn, hourIn } from "./time";
import { env } from "./env.server";

let started = false;

/**
 * The daily reminder run, inside the server process: once a minute it checks whether the
 * configured hour has come in the configured time zone and today's run has not happened yet.
 * A restart may run it again; the outbox keys make that send nothing twice.
 */
export function startScheduler() {
  if (started || env().SCHEDULER === "false") return;
  started = true;
  let lastRun: string | undefined;
  const tick = async () => {
    const { timeZone, reminderHour } = getSettings();
    const now = new Date();
    const today = dateIn(timeZone, now);
    if (lastRun === today || hourIn(timeZone, now) < reminderHour) return;
    lastRun = today;
    const result = await runReminders(now);
    console.log(JSON.stringify({ job: "reminders", ...result }));
  };
  const run = () => tick().catch((error) => console.error("Reminder run failed:", error));
  setInterval(run, 60_000).unref();
  void run();
}
