import { and, asc, eq, isNull, lte } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { ReminderEmail, type ReminderLine } from "~/components/email/reminder-email";
import { db, schema } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { addDays, formatDate } from "~/lib/time";
import { today, unfinished } from "./action.server";
import { reference } from "./incident";
import { personColumns, viewableBy } from "./authorization.server";
import { deliverPending, enqueueEmail } from "./outbox.server";
import { announceOverdueActions } from "./webhook-events.server";

const { actions, incidents, users } = schema;

/** One reminder lists at most this many actions, then says how many more there are. */
export const REMINDER_LINES = 50;

/** Actions due within this many days are mentioned before they become overdue. */
export const DUE_SOON_DAYS = 2;

export type ReminderBatch = {
  owner: { id: number; name: string; email: string };
  actions: { id: number; title: string; dueDate: string; incidentId: number; incidentTitle: string }[];
};

/**
 * Per owner who takes reminder emails, their unfinished actions that are overdue or due within two days of `today`, on
 * incidents they may see: an email is one more page, and a restricted incident's reference and
 * title go only to its people.
 */
export async function selectReminders(today: string): Promise<ReminderBatch[]> {
  const rows = await db()
    .select({
      id: actions.id,
      title: actions.title,
      dueDate: actions.dueDate,
      incidentId: actions.incidentId,
      incidentTitle: incidents.title,
      ownerId: users.id,
      ownerName: users.name,
      ownerEmail: users.email,
    })
    .from(actions)
    .innerJoin(incidents, eq(incidents.id, actions.incidentId))
    .innerJoin(users, eq(users.id, actions.ownerId))
    .where(and(unfinished, lte(actions.dueDate, addDays(today, DUE_SOON_DAYS)), isNull(users.removedAt), eq(users.reminderEmails, true), viewableBy(personColumns(users))))
    .orderBy(asc(users.id), asc(actions.dueDate), asc(actions.id))
    .all();
  const batches = new Map<number, ReminderBatch>();
  for (const row of rows) {
    const batch = batches.get(row.ownerId) ?? { owner: { id: row.ownerId, name: row.ownerName, email: row.ownerEmail }, actions: [] };
    batch.actions.push({ id: row.id, title: row.title, dueDate: row.dueDate, incidentId: row.incidentId, incidentTitle: row.incidentTitle });
    batches.set(row.ownerId, batch);
  }
  return [...batches.values()];
}

function when(dueDate: string, today: string): string {
  const days = Math.round((Date.parse(`${dueDate}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return `${-days} ${days === -1 ? "day" : "days"} overdue`;
  if (days === 0) return "due today";
  return `due in ${days} ${days === 1 ? "day" : "days"}`;
}

/** The reminder email for one owner. */
export function reminderEmail(batch: ReminderBatch, today: string) {
  const base = env().APP_URL;
  const lines: ReminderLine[] = batch.actions.map((a) => ({
    url: `${base}/actions/${a.id}`,
    title: a.title,
    incident: `${reference(a.incidentId)}: ${a.incidentTitle}`,
    due: formatDate(a.dueDate),
    when: when(a.dueDate, today),
    overdue: a.dueDate < today,
  }));
  const overdue = lines.filter((l) => l.overdue).length;
  const subject =
    overdue > 0
      ? `${overdue} overdue follow-up ${overdue === 1 ? "action" : "actions"}${lines.length > overdue ? ` and ${lines.length - overdue} due soon` : ""}`
      : `${lines.length} follow-up ${lines.length === 1 ? "action" : "actions"} due soon`;
  // The most pressing first (the batch is ordered by due date); the rest are on My actions.
  const listed = lines.slice(0, REMINDER_LINES);
  const more = lines.length - listed.length;
  const text = [
    `Hello ${batch.owner.name},`,
    "",
    "These follow-up actions from post-mortems are yours and are overdue or due soon:",
    "",
    ...listed.map((l) => `- ${l.title} (${l.incident})\n  ${l.due}, ${l.when}\n  ${l.url}`),
    ...(more > 0 ? [`- and ${more} more`] : []),
    "",
    `All your actions: ${base}/actions`,
  ].join("\n");
  const html = `<!doctype html><html><body>${renderToStaticMarkup(<ReminderEmail name={batch.owner.name} lines={listed} more={more} actionsUrl={`${base}/actions`} />)}</body></html>`;
  return { to: [batch.owner.email], subject, text, html };
}

/**
 * The daily reminder run: one email per owner per day (the outbox key makes a repeated run or a
 * restart send nothing twice), the webhook event of each action that became overdue (once per
 * due date), then delivery of everything unsent, earlier failures included.
 */
export async function runReminders(now: Date = new Date()) {
  const todayDate = await today(now);
  let queued = 0;
  for (const batch of await selectReminders(todayDate)) {
    const email = reminderEmail(batch, todayDate);
    if (await enqueueEmail({ key: `reminder:${batch.owner.id}:${todayDate}`, kind: "reminder", ...email })) queued += 1;
  }
  const overdueEvents = await announceOverdueActions(todayDate);
  const delivery = await deliverPending(now);
  return { today: todayDate, queued, overdueEvents, ...delivery };
}
