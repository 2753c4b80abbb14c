import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eq, like } from "drizzle-orm";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser, incidentFields, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { validateForm } from "~/lib/http.server";
import { formatDate } from "~/lib/time";
import { changeActionStatus, createAction, replanAction, updateAction, type Action } from "~/models/action.server";
import { moveIncident, reportIncident, saveIncident, setPeople } from "~/models/incident.server";
import { notificationChoices } from "~/models/inputs";
import { claimRemediation, handFacilitation, joinSession, makeParticipant, sendForReview, startSession } from "~/models/live-session.server";
import { NOTIFICATION_KINDS, NOTIFICATIONS_PER_HOUR, type NotificationKind } from "~/models/notification";
import { notify } from "~/models/notification.server";
import { deliverPending } from "~/models/outbox.server";
import { removePerson } from "~/models/person-removal.server";
import { republish } from "~/models/publication.server";
import { getProfile, removeUser, setNotificationChoices, type User } from "~/models/user.server";
import { freshDatabase, recordQueries } from "./helpers";
import { startSmtpServer } from "./smtp";

// The emails that tell people what concerns them: who is told of each change, who never is (the
// person who made it, removed people, people who turned the kind off, people who may not see the
// incident), what the email says, and that each is written once, with the change.

const APP = "https://hindsight.example.com";
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  process.env.APP_URL = APP;
});

afterAll(async () => {
  delete process.env.SMTP_URL;
  await smtp.close();
});

let admin: User;
let ava: User;
let ben: User;
let cleo: User;
let dan: User;

beforeEach(async () => {
  await freshDatabase();
  smtp.received.length = 0;
  admin = await createUser({ name: "Casey Admin", email: "casey@example.com", role: "admin" });
  ava = await createUser({ name: "Ava Facilitator", email: "ava@example.com" });
  ben = await createUser({ name: "Ben Participant", email: "ben@example.com" });
  cleo = await createUser({ name: "Cleo Newcomer", email: "cleo@example.com" });
  dan = await createUser({ name: "Dan Owner", email: "dan@example.com" });
});

type Mail = { key: string; kind: string; to: string; subject: string; text: string; html: string };

/** The notification emails in the outbox, oldest first. */
async function mails(): Promise<Mail[]> {
  const rows = await db().select().from(schema.outbox).where(like(schema.outbox.kind, "notify-%")).orderBy(schema.outbox.id).all();
  return rows.map((r) => ({ key: r.key, kind: r.kind, to: r.recipients, subject: r.subject, text: r.text, html: r.html }));
}

/** Who got which kind, in order. */
async function sent(): Promise<[string, string][]> {
  return (await mails()).map((m) => [m.to, m.kind]);
}

/** Ava's org-wide incident with Ben taking part, reported by Ava: nobody is told of that. */
async function avasIncident(overrides: Parameters<typeof createIncident>[1] = {}) {
  const incident = await createIncident(ava, { title: "Website down", ...overrides });
  await setPeople(ava, incident.id, ava.id, [ben.id]);
  await db().delete(schema.outbox).run();
  return incident;
}

const give = (actor: User, incidentId: number, owner: User, title = "Add a CPU alert") =>
  createAction(actor, incidentId, null, actionFields(owner.id, { title, dueDate: "2026-12-07", priority: "P1" }));

const fieldsOf = (action: Action, ownerId: number) => ({ ...actionFields(ownerId), title: action.title, dueDate: action.dueDate, priority: action.priority });

describe("being made facilitator or participant", () => {
  it("reporting an incident tells the facilitator chosen, never the reporter", async () => {
    const incident = await createIncident(admin, { title: "Website down", facilitatorId: ava.id });
    await createIncident(ava, { title: "Own incident" });
    const [mail, ...others] = await mails();
    expect(others).toEqual([]);
    expect(mail).toMatchObject({ to: "ava@example.com", kind: "notify-roles", subject: `You facilitate ${incident.reference}: Website down` });
    expect(mail.text).toContain(`Hello Ava Facilitator,`);
    expect(mail.text).toContain(`Casey Admin made you the facilitator of ${incident.reference}: Website down.`);
    expect(mail.text).toContain(`Open the incident: ${APP}/incidents/${incident.reference}`);
    expect(mail.html).toContain(`href="${APP}/incidents/${incident.reference}"`);
  });

  it("choosing the people tells the new facilitator and whoever joins, not those already in it", async () => {
    const incident = await avasIncident();
    // Ben leads now, Ava stays on as a participant, Cleo joins.
    await setPeople(ava, incident.id, ben.id, [ava.id, cleo.id]);
    expect(await sent()).toEqual([
      ["ben@example.com", "notify-roles"],
      ["cleo@example.com", "notify-roles"],
    ]);
    const [toBen, toCleo] = await mails();
    expect(toBen.subject).toBe(`You facilitate ${incident.reference}: Website down`);
    expect(toCleo.subject).toBe(`You take part in ${incident.reference}: Website down`);
    expect(toCleo.text).toContain(`Ava Facilitator added you to the participants of ${incident.reference}: Website down.`);
    // The same people again: nothing changed, nobody is told.
    await setPeople(ben, incident.id, ben.id, [ava.id, cleo.id]);
    expect(await mails()).toHaveLength(2);
  });

  it("taken off and added again later is news again", async () => {
    const incident = await avasIncident();
    await setPeople(ava, incident.id, ava.id, [ben.id, cleo.id]);
    await setPeople(ava, incident.id, ava.id, [ben.id]);
    await setPeople(ava, incident.id, ava.id, [ben.id, cleo.id]);
    const toCleo = (await mails()).filter((m) => m.to === "cleo@example.com");
    expect(toCleo).toHaveLength(2);
    expect(new Set(toCleo.map((m) => m.key)).size).toBe(2);
  });

  it("the live session: made a participant, or handed the facilitation, with a link to the session", async () => {
    const incident = await avasIncident();
    await advanceTo(ava, incident.id, "analysis");
    await startSession(ava, incident.id, { anonymous: true });
    await joinSession(cleo, incident.id);
    await makeParticipant(ava, incident.id, cleo.id);
    await handFacilitation(ava, incident.id, ben.id);
    const [toCleo, toBen, ...rest] = await mails();
    expect(rest).toEqual([]);
    expect(toCleo).toMatchObject({ to: "cleo@example.com", kind: "notify-roles", subject: `You take part in ${incident.reference}: Website down` });
    expect(toCleo.text).toContain(`Ava Facilitator made you a participant of ${incident.reference}: Website down in its live session.`);
    expect(toCleo.text).toContain(`Open the live session: ${APP}/incidents/${incident.reference}/session`);
    expect(toBen).toMatchObject({ to: "ben@example.com", kind: "notify-roles", subject: `You lead the live session of ${incident.reference}: Website down` });
    // Claiming a remediation gives the action to the claimant: nobody else is told.
    const [why] = await addWhyTree(ava, incident.id, [{ question: "Why?", answer: "Because.", remediation: "Add an alert." }]);
    await claimRemediation(cleo, incident.id, why);
    expect(await mails()).toHaveLength(2);
  });
});

describe("actions given and taken", () => {
  it("tells the owner of a new action what it is, on which incident, and by when", async () => {
    const incident = await avasIncident();
    const action = await give(ava, incident.id, ben);
    const [mail, ...rest] = await mails();
    expect(rest).toEqual([]);
    expect(mail).toMatchObject({ to: "ben@example.com", kind: "notify-assigned", subject: `A follow-up action for you on ${incident.reference}: Website down` });
    expect(mail.text).toContain(`Ava Facilitator gave you a follow-up action on ${incident.reference}: Website down.`);
    expect(mail.text).toContain(`- Add a CPU alert\n  P1, due ${formatDate("2026-12-07")}\n  ${APP}/actions/${action.id}`);
    expect(mail.text).toContain(`Open the action: ${APP}/actions/${action.id}`);
    expect(mail.text).not.toContain("You now take part");
    expect(mail.html).toContain(`href="${APP}/actions/${action.id}"`);
  });

  it("an action that makes its owner a participant says so, in one email", async () => {
    const incident = await avasIncident();
    await give(ava, incident.id, dan);
    expect(await sent()).toEqual([["dan@example.com", "notify-assigned"]]);
    expect((await mails())[0].text).toContain("You now take part in the incident too");
    // Taking no assignment emails but taking roles: told of joining, with the action.
    await setNotificationChoices(cleo, { roles: true, assigned: false, lifecycle: true, reassigned: true });
    await give(ava, incident.id, cleo, "Write the runbook");
    const toCleo = (await mails()).filter((m) => m.to === "cleo@example.com");
    expect(toCleo.map((m) => [m.kind, m.subject])).toEqual([["notify-roles", `You take part in ${incident.reference}: Website down`]]);
    expect(toCleo[0].text).toContain(`Ava Facilitator gave you a follow-up action on ${incident.reference}: Website down, which makes you one of its participants.`);
    expect(toCleo[0].text).toContain("Write the runbook");
  });

  it("giving yourself an action tells nobody", async () => {
    const incident = await avasIncident();
    await give(ava, incident.id, ava);
    await give(ben, incident.id, ben);
    expect(await mails()).toEqual([]);
  });

  it("a new owner, from the action's form or the incident's page, is told; so is the owner it was taken from", async () => {
    const incident = await avasIncident();
    const action = await give(ava, incident.id, ben);
    await db().delete(schema.outbox).run();
    const edited = await updateAction(ava, action.id, action.version, fieldsOf(action, dan.id));
    expect((await sent()).sort()).toEqual([
      ["ben@example.com", "notify-reassigned"],
      ["dan@example.com", "notify-assigned"],
    ]);
    const toBen = (await mails()).find((m) => m.to === "ben@example.com")!;
    expect(toBen.subject).toBe(`Your follow-up action on ${incident.reference}: Website down is now Dan Owner's`);
    expect(toBen.text).toContain(`Ava Facilitator gave the follow-up action “Add a CPU alert” on ${incident.reference}: Website down to Dan Owner.`);
    // The plan changed on the incident's page: back to Ben.
    await replanAction(ava, incident.id, action.id, edited.version, { ownerId: ben.id, dueDate: edited.dueDate, priority: edited.priority });
    expect((await sent()).slice(2).sort()).toEqual([
      ["ben@example.com", "notify-assigned"],
      ["dan@example.com", "notify-reassigned"],
    ]);
  });

  it("editing anything but the owner, or finishing the action, tells nobody", async () => {
    const incident = await avasIncident();
    const action = await give(ava, incident.id, ben);
    await db().delete(schema.outbox).run();
    const edited = await updateAction(ava, action.id, action.version, { ...fieldsOf(action, ben.id), title: "Add a CPU alert on every host" });
    await replanAction(ava, incident.id, action.id, edited.version, { ownerId: ben.id, dueDate: "2026-12-24", priority: "P2" });
    await changeActionStatus(ava, action.id, "done");
    expect(await mails()).toEqual([]);
  });

  it("handing your own action to someone else tells only them", async () => {
    const incident = await avasIncident();
    const action = await give(ava, incident.id, ben);
    await db().delete(schema.outbox).run();
    await updateAction(ben, action.id, action.version, fieldsOf(action, ava.id));
    expect(await sent()).toEqual([["ava@example.com", "notify-assigned"]]);
  });

  it("a removed person's actions handed over: the new owner hears once per incident, the removed person nothing", async () => {
    const first = await avasIncident();
    const second = await createIncident(ava, { title: "Queue backlog" });
    await give(ava, first.id, dan, "Add a CPU alert");
    await give(ava, first.id, dan, "Write the runbook");
    await give(ava, second.id, dan, "Drain the queue");
    await db().delete(schema.outbox).run();
    await removePerson(admin, dan.id, cleo.id);
    const all = await mails();
    expect(all.map((m) => [m.to, m.kind, m.subject])).toEqual([
      ["cleo@example.com", "notify-assigned", `2 follow-up actions for you on ${first.reference}: Website down`],
      ["cleo@example.com", "notify-assigned", `A follow-up action for you on ${second.reference}: Queue backlog`],
    ]);
    expect(all[0].text).toContain(`Casey Admin handed you 2 follow-up actions on ${first.reference}: Website down that were Dan Owner's.`);
    expect(all[0].text).toContain("Add a CPU alert");
    expect(all[0].text).toContain("Write the runbook");
  });
});

/** An incident whose analysis is complete, led by Ava with Ben and Cleo, ready to go to review. */
async function completeIncident(overrides: Parameters<typeof createIncident>[1] = {}) {
  const incident = await createIncident(ava, { title: "Website down", summaryMd: "A loop reached production.", ...overrides });
  await setPeople(ava, incident.id, ava.id, [ben.id, cleo.id]);
  const ids = await addWhyTree(ava, incident.id, RIES_CHAIN);
  for (const id of ids) await createAction(ava, incident.id, id, actionFields(ava.id, { title: `Fix ${id}` }));
  await keepFlaggedWording(ava, incident.id, "Quoted from Ries's example");
  await moveIncident(ava, incident.id, "analysis");
  await db().delete(schema.outbox).run();
  return incident;
}

describe("an incident you are in, sent for review or published", () => {
  it("tells its people but not the one who moved it; republishing tells nobody", async () => {
    const incident = await completeIncident();
    await moveIncident(ava, incident.id, "review");
    expect(await sent()).toEqual([
      ["ben@example.com", "notify-lifecycle"],
      ["cleo@example.com", "notify-lifecycle"],
    ]);
    const [review] = await mails();
    expect(review.subject).toBe(`${incident.reference} sent for review: Website down`);
    expect(review.text).toContain(`Ava Facilitator sent the analysis of ${incident.reference}: Website down for review.`);
    await db().delete(schema.outbox).run();

    // An admin who is not among its people publishes: all three are told, the admin not.
    await moveIncident(admin, incident.id, "published");
    expect(await sent()).toEqual([
      ["ava@example.com", "notify-lifecycle"],
      ["ben@example.com", "notify-lifecycle"],
      ["cleo@example.com", "notify-lifecycle"],
    ]);
    const [published] = await mails();
    expect(published.subject).toBe(`${incident.reference} published: Website down`);
    expect(published.text).toContain("The whole company can read it now, in the learnings.");
    await db().delete(schema.outbox).run();

    // Published again after an edit: the first publication was the news.
    await republish(ava, incident.id);
    expect(await mails()).toEqual([]);
  });

  it("starting the analysis or going back to it tells nobody; a second review is news again", async () => {
    const incident = await completeIncident();
    await moveIncident(ava, incident.id, "review");
    await moveIncident(ava, incident.id, "analysis");
    await moveIncident(ava, incident.id, "review");
    expect((await sent()).filter(([to]) => to === "ben@example.com")).toHaveLength(2);
    expect(new Set((await mails()).map((m) => m.key)).size).toBe(4);
  });

  it("sending the live session's analysis for review tells the others", async () => {
    const incident = await completeIncident();
    await startSession(ava, incident.id, { anonymous: true });
    await handFacilitation(ava, incident.id, ben.id);
    await db().delete(schema.outbox).run();
    await sendForReview(ben, incident.id);
    expect(await sent()).toEqual([
      ["ava@example.com", "notify-lifecycle"],
      ["cleo@example.com", "notify-lifecycle"],
    ]);
  });
});

describe("who is never told", () => {
  it("removed people", async () => {
    const incident = await completeIncident();
    await removeUser(admin, cleo.id);
    await moveIncident(ava, incident.id, "review");
    expect(await sent()).toEqual([["ben@example.com", "notify-lifecycle"]]);
  });

  it("a removed owner whose action is given to someone else", async () => {
    const incident = await avasIncident();
    const action = await give(ava, incident.id, dan);
    await removePerson(admin, dan.id, null);
    await db().delete(schema.outbox).run();
    await updateAction(ava, action.id, action.version, fieldsOf(action, cleo.id));
    expect(await sent()).toEqual([["cleo@example.com", "notify-assigned"]]);
  });

  it("people who turned that kind off, each kind on its own", async () => {
    const events: Record<NotificationKind, (incidentId: number) => Promise<unknown>> = {
      roles: (id) => setPeople(ava, id, ava.id, [ben.id, cleo.id, dan.id]),
      assigned: (id) => give(ava, id, dan),
      lifecycle: (id) => moveIncident(ava, id, "review"),
      reassigned: async (id) => {
        const action = (await db().select().from(schema.actions).where(eq(schema.actions.incidentId, id)).all()).find((a) => a.ownerId === dan.id)!;
        await updateAction(ava, action.id, action.version, { ...actionFields(ben.id), title: action.title, dueDate: action.dueDate, priority: action.priority });
      },
    };
    const all = { roles: true, assigned: true, lifecycle: true, reassigned: true };
    /** An incident where Dan takes part already (unless his joining is the news), or owns an action (when losing it is). */
    const ready = async (kind: NotificationKind, title: string) => {
      const incident = await completeIncident({ title });
      if (kind !== "roles") await setPeople(ava, incident.id, ava.id, [ben.id, cleo.id, dan.id]);
      if (kind === "reassigned") await give(ava, incident.id, dan);
      await db().delete(schema.outbox).run();
      return incident;
    };
    for (const kind of NOTIFICATION_KINDS) {
      await setNotificationChoices(dan, all);
      const off = await ready(kind, `Turned off: ${kind}`);
      await setNotificationChoices(dan, { ...all, [kind]: false });
      await events[kind](off.id);
      expect((await mails()).filter((m) => m.to === "dan@example.com"), kind).toEqual([]);
      // Turned on again, the same kind of change reaches them.
      await setNotificationChoices(dan, all);
      const on = await ready(kind, `Turned on: ${kind}`);
      await events[kind](on.id);
      expect((await mails()).filter((m) => m.to === "dan@example.com").map((m) => m.kind), kind).toEqual([`notify-${kind}`]);
    }
  });

  it("anyone who may not see a restricted incident: its title reaches only its people and admins", async () => {
    const incident = await avasIncident({ title: "Signing key exposed", visibility: "restricted" });
    // Dan once owned a finished action there, and no longer takes part.
    await setPeople(ava, incident.id, ava.id, [ben.id, dan.id]);
    const action = await give(ava, incident.id, dan);
    await changeActionStatus(dan, action.id, "done");
    await setPeople(ava, incident.id, ava.id, [ben.id]);
    await db().delete(schema.outbox).run();
    const done = (await db().select().from(schema.actions).where(eq(schema.actions.id, action.id)).get())!;
    await updateAction(ava, action.id, done.version, fieldsOf(action, ben.id));
    expect(await sent()).toEqual([["ben@example.com", "notify-assigned"]]);
    // Whatever a model asks, the email is written only for someone who may see the incident now.
    const eventId = (await db().select().from(schema.auditEvents).where(eq(schema.auditEvents.incidentId, incident.id)).all()).at(-1)!.id;
    await db().transaction((tx) =>
      notify(tx, ava, { eventId, incidentId: incident.id }, [
        { to: dan.id, news: { kind: "lifecycle", to: "published" } },
        { to: cleo.id, news: { kind: "lifecycle", to: "published" } },
        { to: admin.id, news: { kind: "lifecycle", to: "published" } },
      ]),
    );
    const all = await mails();
    expect(all.map((m) => m.to).sort()).toEqual(["ben@example.com", "casey@example.com"]);
    for (const mail of all) expect(["ben@example.com", "casey@example.com"]).toContain(mail.to);
    const restricted = (await db().select().from(schema.outbox).all()).filter((r) => `${r.subject}${r.text}${r.html}`.includes("Signing key exposed"));
    expect(restricted.map((r) => r.recipients).sort()).toEqual(["ben@example.com", "casey@example.com"]);
  });
});

describe("exactly once", () => {
  it("an occurrence is written once however often it is told, and nothing is written for a change rolled back", async () => {
    const incident = await avasIncident();
    const eventId = (await db().select().from(schema.auditEvents).where(eq(schema.auditEvents.incidentId, incident.id)).all()).at(-1)!.id;
    for (let i = 0; i < 3; i++) {
      await db().transaction((tx) => notify(tx, ava, { eventId, incidentId: incident.id }, [{ to: ben.id, news: { kind: "roles", as: "participant" } }]));
    }
    expect(await mails()).toHaveLength(1);
    await db().delete(schema.outbox).run();

    // Refused together: the incident's edit is stale, so its people are not changed either.
    const refused = saveIncident(ava, incident.id, { ...incidentFields({ title: "Website down" }), version: 1 }, { facilitatorId: ava.id, participantIds: [ben.id, cleo.id] });
    await expect(refused).rejects.toThrow();
    await expect(db().transaction(async () => {
      await setPeople(ava, incident.id, ava.id, [ben.id, cleo.id]);
      throw new Error("rolled back");
    })).rejects.toThrow("rolled back");
    expect(await mails()).toEqual([]);
  });

  it("is sent once through the mail server, however often delivery runs, with its subject on one line", async () => {
    const incident = await reportIncident(admin, { ...incidentFields({ title: "Checkout down\r\nBcc: everyone@example.com" }), facilitatorId: ava.id });
    await deliverPending();
    await deliverPending();
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail.subject).toBe(`You facilitate ${incident.reference}: Checkout down Bcc: everyone@example.com`);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.get("auto-submitted")).toBe("auto-generated");
    expect(mail.text).toContain(`You get this email when you are made an incident's facilitator or one of its participants. Turn these emails off in your profile: ${APP}/account#notifications`);
    expect(mail.html).toContain(`href="${APP}/account#notifications"`);
    expect((await mails())[0]).toMatchObject({ to: "ava@example.com" });
    expect((await db().select().from(schema.outbox).get())!.status).toBe("sent");
  });

  it("costs the change one query for its people and one write, however many they are", async () => {
    const small = await completeIncident({ title: "Few" });
    const many = await completeIncident({ title: "Many" });
    const crowd = [];
    for (let i = 0; i < 12; i++) crowd.push((await createUser({ name: `Person ${i}` })).id);
    await setPeople(ava, many.id, ava.id, [ben.id, cleo.id, ...crowd]);
    await db().delete(schema.outbox).run();
    const few = await recordQueries(() => moveIncident(ava, small.id, "review"));
    const lots = await recordQueries(() => moveIncident(ava, many.id, "review"));
    expect((await mails()).length).toBe(2 + 14);
    const touching = (queries: { sql: string }[]) => queries.filter((q) => /notify_roles|insert into "outbox"/.test(q.sql)).length;
    expect(touching(few.queries)).toBe(2);
    expect(touching(lots.queries)).toBe(2);
    expect(lots.queries.length).toBe(few.queries.length);
  });
});

describe("an inbox that would be flooded", () => {
  it("is sent at most NOTIFICATIONS_PER_HOUR of them an hour; others are still told", async () => {
    for (let i = 0; i < NOTIFICATIONS_PER_HOUR + 5; i++) {
      await reportIncident(ben, { ...incidentFields({ title: `Spam ${i}` }), facilitatorId: ava.id });
    }
    expect((await mails()).filter((m) => m.to === ava.email)).toHaveLength(NOTIFICATIONS_PER_HOUR);
    // Someone else is still told, and an hour later Ava is again.
    await reportIncident(ben, { ...incidentFields({ title: "Real one" }), facilitatorId: cleo.id });
    expect((await mails()).filter((m) => m.to === cleo.email)).toHaveLength(1);
    await db().update(schema.outbox).set({ createdAt: new Date(Date.now() - 3_601_000).toISOString() }).run();
    await reportIncident(ben, { ...incidentFields({ title: "An hour on" }), facilitatorId: ava.id });
    expect((await mails()).filter((m) => m.to === ava.email).at(-1)?.subject).toContain("An hour on");
  });
});

describe("the choices in the profile", () => {
  it("are all on at first, and each is stored as a ticked box says", async () => {
    expect((await getProfile(ben)).notifications).toEqual({ roles: true, assigned: true, lifecycle: true, reassigned: true });
    const parsed = validateForm(notificationChoices, { intent: "notifications", assigned: "on", reassigned: "on" });
    expect(parsed).toEqual({ ok: true, data: { roles: false, assigned: true, lifecycle: false, reassigned: true } });
    if (!parsed.ok) return;
    await setNotificationChoices(ben, parsed.data);
    expect((await getProfile(ben)).notifications).toEqual(parsed.data);
    const stored = await db().select().from(schema.users).where(eq(schema.users.id, ben.id)).get();
    expect(stored).toMatchObject({ notifyRoles: false, notifyAssigned: true, notifyLifecycle: false, notifyReassigned: true, reminderEmails: true });
  });
});
