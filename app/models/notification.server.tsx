import { and, count, eq, gt, inArray, isNull, like, sql } from "drizzle-orm";
import { renderToStaticMarkup } from "react-dom/server";
import { NotificationEmail, type NotificationAction } from "~/components/email/notification-email";
import { afterCommit, schema, type Tx } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { formatDate } from "~/lib/time";
import type { Viewer } from "./authorization";
import { personColumns, viewableBy } from "./authorization.server";
import { reference } from "./incident";
import { oneLine } from "./inputs";
import { NOTIFICATION_LABELS, NOTIFICATIONS_PER_HOUR, type NotificationChoices, type NotificationKind } from "./notification";
import { deliverSoon, enqueueEmails, type OutgoingEmail } from "./outbox.server";

// Emails that tell people what concerns them, written by the change itself: the models call
// notify() in the transaction that makes the change, after recording its history event, so the
// emails are stored, or not, with the change (docs/decisions/0029-notification-emails.md).

const { incidents, outbox, users } = schema;

/** One email lists at most this many actions (a handover of many), then says how many more. */
export const NOTIFICATION_ACTIONS = 50;

/** A follow-up action as an email names it. */
export type ActionLine = { id: number; title: string; priority: string; dueDate: string };

/** What happened to one person, as the model that made the change knows it. */
export type News =
  /** Made the incident's facilitator or a participant, from its page or in its live session; or handed the session's facilitation. */
  | { kind: "roles"; as: "facilitator" | "participant" | "session participant" | "session facilitator" }
  /**
   * Given actions on the incident (one, or several in a handover from `from`); `joined`: which
   * made them a participant, something they hear of if they take either kind.
   */
  | { kind: "assigned"; actions: ActionLine[]; joined: boolean; from?: string }
  | { kind: "lifecycle"; to: "review" | "published" }
  /** An action they owned given to `to`. */
  | { kind: "reassigned"; action: ActionLine; to: string };

export type Notice = { to: number; news: News };

/** The change the emails tell of: its history event (which makes each email's key), on its incident. */
export type Occurrence = { eventId: number; incidentId: number };

/**
 * Writes the emails of one change to the outbox, in its transaction, and has them sent once it
 * commits. Nobody hears of their own change, nor a removed person, nor anyone who turned that kind
 * off, nor anyone who may not see the incident now (canView, in its SQL form): a restricted
 * incident's title reaches only its people and admins. One email per person per change, keyed by
 * the change's event, so nothing is written twice for it; a later change is a new email. An
 * address sent NOTIFICATIONS_PER_HOUR of them in the last hour is sent no more for now.
 */
export async function notify(tx: Tx, actor: Viewer, occurrence: Occurrence, notices: readonly Notice[]): Promise<void> {
  const newsFor = new Map<number, News>();
  for (const { to, news } of notices) if (to !== actor.id && !newsFor.has(to)) newsFor.set(to, news);
  if (newsFor.size === 0) return;
  // One query for the people, what they take, whether they may see the incident, and who acted.
  const readers = await tx
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      roles: users.notifyRoles,
      assigned: users.notifyAssigned,
      lifecycle: users.notifyLifecycle,
      reassigned: users.notifyReassigned,
      title: incidents.title,
      visibility: incidents.visibility,
      actorName: sql<string>`(select a.name from users a where a.id = ${actor.id})`,
    })
    .from(users)
    .innerJoin(incidents, eq(incidents.id, occurrence.incidentId))
    .where(and(inArray(users.id, [...newsFor.keys()]), isNull(users.removedAt), viewableBy(personColumns(users))))
    .all();
  const flooded = await floodedAddresses(tx, readers.map((r) => r.email));
  const emails: OutgoingEmail[] = [];
  for (const reader of readers) {
    if (flooded.has(reader.email)) continue;
    const news = newsFor.get(reader.id)!;
    const kind = kindTaken(news, reader);
    if (!kind) continue;
    const about = { reference: reference(occurrence.incidentId), title: oneLine(reader.title), visibility: reader.visibility, actor: oneLine(reader.actorName) };
    emails.push({
      key: `notify:${occurrence.eventId}:${reader.id}`,
      kind: `notify-${kind}`,
      to: [reader.email],
      ...render(reader, kind, letterOf(news, kind, about)),
      // Out-of-office replies are not sent to automatic messages.
      headers: { "Auto-Submitted": "auto-generated" },
    });
  }
  if ((await enqueueEmails(emails, tx)) > 0) afterCommit(deliverSoon);
}

/** Of these addresses, those sent NOTIFICATIONS_PER_HOUR emails about what concerns them in the last hour. */
async function floodedAddresses(tx: Tx, addresses: string[]): Promise<Set<string>> {
  if (addresses.length === 0) return new Set();
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const counts = await tx
    .select({ address: outbox.recipients, n: count() })
    .from(outbox)
    .where(and(inArray(outbox.recipients, addresses), gt(outbox.createdAt, since), like(outbox.kind, "notify-%")))
    .groupBy(outbox.recipients)
    .all();
  return new Set(counts.filter((c) => c.n >= NOTIFICATIONS_PER_HOUR).map((c) => c.address));
}

/**
 * The kind of email the person gets for this news, if any. An action that made them a
 * participant is told as an assignment, or, when they take no assignment emails, as a role.
 */
function kindTaken(news: News, choices: NotificationChoices): NotificationKind | undefined {
  if (choices[news.kind]) return news.kind;
  if (news.kind === "assigned" && news.joined && choices.roles) return "roles";
  return undefined;
}

type About = { reference: string; title: string; visibility: "org" | "restricted"; actor: string };

type Letter = { subject: string; lines: string[]; actions: ActionLine[]; button: { label: string; path: string } };

function letterOf(news: News, kind: NotificationKind, about: About): Letter {
  const { actor } = about;
  const incident = `${about.reference}: ${about.title}`;
  const page = `/incidents/${about.reference}`;
  const open = { label: "Open the incident", path: page };
  switch (news.kind) {
    case "roles":
      return roleLetter(news.as, about);
    case "assigned": {
      const many = news.actions.length > 1;
      const given = many ? `${news.actions.length} follow-up actions` : "a follow-up action";
      if (kind === "roles") {
        return {
          subject: `You take part in ${incident}`,
          lines: [`${actor} gave you ${given} on ${incident}, which makes you one of its participants.`],
          actions: news.actions,
          button: open,
        };
      }
      return {
        subject: `${many ? `${news.actions.length} follow-up actions` : "A follow-up action"} for you on ${incident}`,
        lines: [
          news.from ? `${actor} handed you ${given} on ${incident} that ${many ? "were" : "was"} ${oneLine(news.from)}'s.` : `${actor} gave you ${given} on ${incident}.`,
          ...(news.joined ? ["You now take part in the incident too, so you can read what led to it."] : []),
        ],
        actions: news.actions,
        button: many ? { label: "Your actions", path: "/actions" } : { label: "Open the action", path: `/actions/${news.actions[0].id}` },
      };
    }
    case "lifecycle":
      return news.to === "review"
        ? {
            subject: `${about.reference} sent for review: ${about.title}`,
            lines: [`${actor} sent the analysis of ${incident} for review.`, "Read it through before it is published: what is missing or unclear is easiest to add now."],
            actions: [],
            button: { label: "Read the analysis", path: page },
          }
        : {
            subject: `${about.reference} published: ${about.title}`,
            lines: [
              `${actor} published the analysis of ${incident}.`,
              about.visibility === "org" ? "The whole company can read it now, in the learnings." : "It stays restricted: only its people and admins can read it.",
            ],
            actions: [],
            button: { label: "Read the analysis", path: page },
          };
    case "reassigned":
      return {
        subject: `Your follow-up action on ${incident} is now ${oneLine(news.to)}'s`,
        lines: [`${actor} gave the follow-up action “${oneLine(news.action.title)}” on ${incident} to ${oneLine(news.to)}.`, "It is no longer yours: it leaves your actions and their reminders."],
        actions: [news.action],
        button: { label: "Open the action", path: `/actions/${news.action.id}` },
      };
  }
}

/** Made facilitator or participant, from the incident's page or in its live session. */
function roleLetter(as: Extract<News, { kind: "roles" }>["as"], about: About): Letter {
  const { actor } = about;
  const incident = `${about.reference}: ${about.title}`;
  const page = `/incidents/${about.reference}`;
  const inSession = { label: "Open the live session", path: `${page}/session` };
  const said = {
    facilitator: {
      subject: `You facilitate ${incident}`,
      lines: [`${actor} made you the facilitator of ${incident}.`, "You lead its analysis: the whys, what to change at each level and the follow-up actions, then its review and publication."],
    },
    participant: {
      subject: `You take part in ${incident}`,
      lines: [`${actor} added you to the participants of ${incident}.`, "You can add to its timeline and its whys with the facilitator."],
    },
    "session participant": {
      subject: `You take part in ${incident}`,
      lines: [`${actor} made you a participant of ${incident} in its live session.`, "You can now write answers and vote there."],
    },
    "session facilitator": {
      subject: `You lead the live session of ${incident}`,
      lines: [`${actor} handed you the facilitation of the live session of ${incident}.`, "You now pose the questions, reveal the answers and accept them into the analysis."],
    },
  }[as];
  return { ...said, actions: [], button: as.startsWith("session") ? inSession : { label: "Open the incident", path: page } };
}

/** The email's subject, text and HTML: the letter, its actions, its link, and how to turn this kind off. */
function render(reader: { name: string }, kind: NotificationKind, letter: Letter): Pick<OutgoingEmail, "subject" | "text" | "html"> {
  const base = env().APP_URL;
  const listed: NotificationAction[] = letter.actions.slice(0, NOTIFICATION_ACTIONS).map((a) => ({
    title: oneLine(a.title),
    detail: `${a.priority}, due ${formatDate(a.dueDate)}`,
    url: `${base}/actions/${a.id}`,
  }));
  const more = letter.actions.length - listed.length;
  const button = { label: letter.button.label, url: `${base}${letter.button.path}` };
  const label = NOTIFICATION_LABELS[kind];
  const why = `You get this email when ${label.charAt(0).toLowerCase()}${label.slice(1)}.`;
  const preferences = `${base}/account#notifications`;
  const text = [
    `Hello ${reader.name},`,
    "",
    ...letter.lines.flatMap((line) => [line, ""]),
    ...listed.flatMap((a) => [`- ${a.title}`, `  ${a.detail}`, `  ${a.url}`]),
    ...(more > 0 ? [`- and ${more} more`] : []),
    ...(listed.length > 0 ? [""] : []),
    `${button.label}: ${button.url}`,
    "",
    "--",
    `${why} Turn these emails off in your profile: ${preferences}`,
  ].join("\n");
  const html = `<!doctype html><html><body>${renderToStaticMarkup(
    <NotificationEmail name={reader.name} lines={letter.lines} actions={listed} more={more} button={button} why={why} preferences={preferences} />,
  )}</body></html>`;
  return { subject: oneLine(letter.subject), text, html };
}
