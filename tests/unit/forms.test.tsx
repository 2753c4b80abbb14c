// The incident's forms as a person fills them in: what each save keeps, refuses and says.
// Each case posts to the route's action and renders its page as a request would.
import { renderToString } from "react-dom/server";
import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, createIncident, createUser, incidentFields } from "../../db/factories";
import { CharacterCount } from "~/components/form";
import { fromForm } from "~/lib/form-input";
import { toInputValue } from "~/lib/time";
import { createAction, listIncidentActions, today } from "~/models/action.server";
import { fieldValues, getIncident, setPeople } from "~/models/incident.server";
import { FIELD_LIMITS, submittedLength, tooLongMessage } from "~/models/limits";
import { incidentInput, lineField } from "~/models/inputs";
import { addTimelineEntry } from "~/models/timeline.server";
import type { User } from "~/models/user.server";
import { listWhys } from "~/models/why.server";
import * as actionPage from "~/routes/actions.$id";
import * as categoriesPage from "~/routes/admin.categories";
import * as peoplePage from "~/routes/admin.users";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import * as newActionPage from "~/routes/incidents.$ref.actions.new";
import * as editPage from "~/routes/incidents.$ref.edit";
import { freshDatabase, sessionCookie } from "./helpers";
import { renderPage, type RouteModule } from "./render";

type Failure = { init: { status: number }; data: { errors: Record<string, string[] | undefined>; values: Record<string, string>; confirm?: string } };
type ActionModule = { action: (args: never) => unknown };

/** Posts a form to a route's action as `user`: the redirect it answers with, or the failed form. */
async function post(module: ActionModule, user: User, url: string, params: Record<string, string>, form: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) for (const v of [value].flat()) body.append(name, v);
  const request = new Request(`http://localhost${url}`, {
    method: "POST",
    headers: { cookie: await sessionCookie(user.id), "Content-Type": "application/x-www-form-urlencoded" },
    body,
  });
  const result = await Promise.resolve(module.action({ request, params, context: {} } as never)).catch((e: unknown) => e);
  if (result instanceof Response) return { redirect: result.status === 302 ? result.headers.get("location") : null, status: result.status };
  return { failure: result as Failure };
}

function incidentRoutes(page: RouteModule, tab?: string) {
  return [
    { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
    tab ? { pattern: tab, module: page } : { pattern: "", module: page, index: true },
  ];
}

/** HTML without the markers React puts between adjacent pieces of text. */
const plain = (html: string) => html.replace(/<!-- -->/g, "");

const page = async (user: User, ref: string) => {
  const rendered = await renderPage(user.id, `/incidents/${ref}`, incidentRoutes(incidentPage as unknown as RouteModule));
  return { html: plain(rendered.html) };
};

let facilitator: User;
let participant: User;
let other: User;

beforeEach(async () => {
  await freshDatabase();
  facilitator = await createUser({ name: "Avery Facilitator" });
  participant = await createUser({ name: "Blake Participant" });
  other = await createUser({ name: "Casey Other" });
});

describe("the edit page: details and people in one form", () => {
  it("saves a summary typed together with a change of participants, in one post, without scripts", async () => {
    const incident = await createIncident(facilitator);
    const html = (await renderPage(facilitator.id, `/incidents/${incident.reference}/edit`, incidentRoutes(editPage as unknown as RouteModule, "edit"))).html;
    // One form holds both: its one button sends the summary and the ticked participants alike.
    const forms = html.match(/<form[\s\S]*?<\/form>/g) ?? [];
    const editForm = forms.filter((f) => f.includes('name="summaryMd"'));
    expect(editForm).toHaveLength(1);
    expect(editForm[0]).toContain('name="participantIds"');
    expect(forms.filter((f) => f.includes('name="participantIds"'))).toHaveLength(1);

    const values = fieldValues(await getIncident(facilitator, incident.id));
    const result = await post(editPage, facilitator, `/incidents/${incident.reference}/edit`, { ref: incident.reference }, {
      intent: "save",
      ...values,
      summaryMd: "Checkout failed for 70 minutes.",
      facilitatorId: String(facilitator.id),
      participantIds: [String(participant.id), String(other.id)],
    });
    expect(result.redirect).toBe(`/incidents/${incident.reference}`);
    const saved = await getIncident(facilitator, incident.id);
    expect(saved.summaryMd).toBe("Checkout failed for 70 minutes.");
    expect(saved.participantIds.sort()).toEqual([participant.id, other.id].sort());
  });

  it("refuses a people change with the message beside them, keeps the typed summary, and saves neither", async () => {
    // Restricted: taking someone off would leave their unfinished action with an owner who cannot see it.
    const incident = await createIncident(facilitator, incidentFields({ visibility: "restricted" }));
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    await createAction(facilitator, incident.id, null, actionFields(participant.id));
    const before = await getIncident(facilitator, incident.id);
    const result = await post(editPage, facilitator, `/incidents/${incident.reference}/edit`, { ref: incident.reference }, {
      intent: "save",
      ...fieldValues(before),
      summaryMd: "A long summary typed before unticking someone.",
      facilitatorId: String(facilitator.id),
      participantIds: [],
    });
    expect(result.failure?.init.status).toBe(409);
    expect(result.failure?.data.errors.participantIds?.[0]).toContain("Blake Participant still owns unfinished actions here");
    expect(result.failure?.data.values.summaryMd).toBe("A long summary typed before unticking someone.");
    const after = await getIncident(facilitator, incident.id);
    expect(after.summaryMd).toBe(before.summaryMd);
    expect(after.participantIds).toEqual([participant.id]);
    expect(after.version).toBe(before.version);
  });

  it("lets a participant, who does not choose the people, save the details without touching them", async () => {
    const incident = await createIncident(facilitator);
    await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
    const result = await post(editPage, participant, `/incidents/${incident.reference}/edit`, { ref: incident.reference }, {
      intent: "save",
      ...fieldValues(await getIncident(participant, incident.id)),
      summaryMd: "Written by a participant.",
      facilitatorId: String(participant.id),
    });
    expect(result.redirect).toBe(`/incidents/${incident.reference}`);
    const saved = await getIncident(facilitator, incident.id);
    expect(saved.summaryMd).toBe("Written by a participant.");
    expect([saved.facilitatorId, saved.participantIds]).toEqual([facilitator.id, [participant.id]]);
  });
});

describe("text limits: stated, counted, and refused with the text kept", () => {
  it("takes an answer of a few paragraphs, and refuses a longer one beside the field with every character kept", async () => {
    const incident = await createIncident(facilitator);
    const url = `/incidents/${incident.reference}?index`;
    const params = { ref: incident.reference };
    const paragraphs = "The retry loop had no backoff, so every client retried at once. ".repeat(55).trim();
    expect(paragraphs.length).toBeGreaterThan(3_000);
    const accepted = await post(incidentPage, facilitator, url, params, { intent: "add-why", parentId: "", question: "Why did the API fall over?", answer: paragraphs });
    expect(accepted.redirect).toMatch(/#why-\d+$/);
    expect((await listWhys(incident.id)).map((w) => w.answer)).toEqual([paragraphs]);

    const tooLong = "x".repeat(FIELD_LIMITS.answer + 1);
    const refused = await post(incidentPage, facilitator, url, params, { intent: "add-why", parentId: "", question: "Why again?", answer: tooLong });
    expect(refused.failure?.init.status).toBe(400);
    expect(refused.failure?.data.errors.answer).toEqual([tooLongMessage(FIELD_LIMITS.answer)]);
    expect(refused.failure?.data.values.answer).toBe(tooLong);
    expect(await listWhys(incident.id)).toHaveLength(1);
  });

  it("states each limit beside its field instead of cutting the text with maxlength", async () => {
    const incident = await createIncident(facilitator);
    const { html } = await page(facilitator, incident.reference);
    expect(html).not.toMatch(/<textarea[^>]*maxlength/i);
    expect(html).toContain(`At most ${FIELD_LIMITS.answer.toLocaleString("en")} characters.`);
    expect(html).toContain(`At most ${FIELD_LIMITS.question.toLocaleString("en")} characters.`);
    expect(html).toContain(`At most ${FIELD_LIMITS.timelineEntry.toLocaleString("en")} characters.`);
    const edit = plain((await renderPage(facilitator.id, `/incidents/${incident.reference}/edit`, incidentRoutes(editPage as unknown as RouteModule, "edit"))).html);
    expect(edit).not.toMatch(/maxlength/i);
    expect(edit).toContain(`At most ${FIELD_LIMITS.incidentTitle.toLocaleString("en")} characters.`);
  });

  it("cuts no field anywhere: people, teams, categories, won't-do reasons and references are refused, not truncated", async () => {
    const admin = await createUser({ name: "Drew Admin", role: "admin" });
    const incident = await createIncident(admin, { facilitatorId: admin.id });
    await createAction(admin, incident.id, null, actionFields(admin.id));
    const pages = [
      plain((await renderPage(admin.id, "/admin/users", [{ pattern: "/admin/users", module: peoplePage as unknown as RouteModule }])).html),
      plain((await renderPage(admin.id, "/admin/categories", [{ pattern: "/admin/categories", module: categoriesPage as unknown as RouteModule }])).html),
      (await page(admin, incident.reference)).html,
    ];
    for (const html of pages) expect(html).not.toMatch(/maxlength/i);
    expect(pages[0]).toContain(`At most ${FIELD_LIMITS.personName} characters.`);
    expect(pages[1]).toContain(`At most ${FIELD_LIMITS.category} characters.`);
    expect(pages[2]).toContain(`At most ${FIELD_LIMITS.reason} characters.`);

    // A name over its limit, edited on People: refused beside the field, the form open again with it.
    const longName = "N".repeat(FIELD_LIMITS.personName + 1);
    const refused = await post(peoplePage, admin, "/admin/users", {}, { intent: "update", userId: String(other.id), name: longName, team: "", role: "member" });
    expect(refused.failure?.init.status).toBe(400);
    expect(refused.failure?.data.errors.name).toEqual([tooLongMessage(FIELD_LIMITS.personName)]);
    expect(refused.failure?.data.values.name).toBe(longName);
  });

  it("keeps a one-line field on one line: pasted line breaks and control characters become spaces", () => {
    const parsed = incidentInput.safeParse(fromForm(incidentInput, { severity: "SEV2", startedAt: "2026-10-06T14:02", services: "web", visibility: "org", title: " Checkout down\r\n# Injected heading\u0000\u2028end " }));
    expect(parsed.success && parsed.data.title).toBe("Checkout down # Injected heading end");
    expect(lineField(10, "Required.").safeParse("\r\n\t").error?.issues[0].message).toBe("Required.");
  });

  it("counts as typed: near the limit a warning, over it by how much", () => {
    expect(plain(renderToString(<CharacterCount id="c" limit={4_000} length={0} />))).toContain("At most 4,000 characters.");
    expect(plain(renderToString(<CharacterCount id="c" limit={4_000} length={1_840} />))).toContain("1,840 / 4,000 characters");
    const near = plain(renderToString(<CharacterCount id="c" limit={4_000} length={3_900} />));
    expect(near).toContain("field__count--near");
    expect(near).toContain("100 left");
    const over = plain(renderToString(<CharacterCount id="c" limit={4_000} length={4_250} />));
    expect(over).toContain("field__count--over");
    expect(over).toContain("250 too many");
  });

  it("counts a line break as the two characters a browser sends", () => {
    expect(submittedLength("one\ntwo")).toBe(8);
    expect(submittedLength("one\r\ntwo")).toBe(8);
  });
});

describe("adding a why", () => {
  it("is refused without an answer, with the message beside the answer and the question kept", async () => {
    const incident = await createIncident(facilitator);
    const result = await post(incidentPage, facilitator, `/incidents/${incident.reference}?index`, { ref: incident.reference }, {
      intent: "add-why",
      parentId: "",
      question: "Why did the queue back up?",
      answer: "   ",
    });
    expect(result.failure?.init.status).toBe(400);
    expect(result.failure?.data.errors.answer).toEqual(["Write the answer too: a why is added with its answer."]);
    expect(result.failure?.data.values.question).toBe("Why did the queue back up?");
    expect(await listWhys(incident.id)).toEqual([]);
  });
});

describe("deleting a why", () => {
  it("says how many follow-up actions it lets go, and where they are found afterwards", async () => {
    const incident = await createIncident(facilitator);
    const [top, deeper] = await addWhyTree(facilitator, incident.id, [
      { question: "Why were prices stale?", answer: "The CDN served cached pages", remediation: "Purge the CDN", children: [{ question: "Why cached?", answer: "A one-day TTL", remediation: "Shorten the TTL" }] },
    ]);
    await createAction(facilitator, incident.id, top, actionFields(facilitator.id, { title: "Purge on deploy" }));
    await createAction(facilitator, incident.id, deeper, actionFields(facilitator.id, { title: "Set a five-minute TTL" }));
    const before = (await page(facilitator, incident.reference)).html;
    expect(before).toContain("2 follow-up actions of these whys are kept, no longer linked to a why");

    const result = await post(incidentPage, facilitator, `/incidents/${incident.reference}?index`, { ref: incident.reference }, { intent: "delete-why", whyId: String(top), confirm: "yes" });
    expect(result.redirect).toBe(`/incidents/${incident.reference}#actions-unlinked`);
    expect((await listIncidentActions(incident.id)).map((a) => [a.title, a.whyId])).toEqual([
      ["Purge on deploy", null],
      ["Set a five-minute TTL", null],
    ]);
    const after = (await page(facilitator, incident.reference)).html;
    const unlinked = after.slice(after.indexOf('id="actions-unlinked"'));
    expect(unlinked).toContain("Not linked to a why");
    expect(unlinked).toContain("Purge on deploy");
    expect(unlinked).toContain("Set a five-minute TTL");
  });
});

describe("the answer's “Because”", () => {
  it("is shown once: an answer that starts with it is shown without the label", async () => {
    const incident = await createIncident(facilitator);
    await addWhyTree(facilitator, incident.id, [
      { question: "Why was the site down?", answer: "Because the cache expired at once" },
      { question: "Why was the site down?", answer: "Traffic doubled" },
    ]);
    const { html } = await page(facilitator, incident.reference);
    const answers = [...html.matchAll(/<p class="why__answer">([\s\S]*?)<\/p>/g)].map((m) => m[1].replace(/<[^>]+>/g, "|"));
    expect(answers).toEqual(["Because the cache expired at once", "|Because|Traffic doubled"]);
    expect(html).not.toMatch(/Because<\/span>\s*Because/i);
    // The answer field no longer suggests typing the word the card already shows.
    expect(html).not.toContain('placeholder="Because');
  });
});

describe("a new timeline entry's time", () => {
  it("starts at the incident's start, then at the last entry's time, not at the time of writing", async () => {
    const incident = await createIncident(facilitator, incidentFields({ startedAt: "2026-10-06T14:02:00.000Z" }));
    const newEntryTime = (html: string) => {
      const form = html.slice(html.lastIndexOf("Add a timeline entry"));
      return /name="at"[^>]*value="([^"]*)"/.exec(form)?.[1] ?? /value="([^"]*)"[^>]*name="at"/.exec(form)?.[1];
    };
    expect(newEntryTime((await page(facilitator, incident.reference)).html)).toBe(toInputValue("2026-10-06T14:02:00.000Z"));
    await addTimelineEntry(facilitator, incident.id, { at: "2026-10-06T14:40:00.000Z", bodyMd: "Rolled back." });
    await addTimelineEntry(facilitator, incident.id, { at: "2026-10-06T14:10:00.000Z", bodyMd: "Paged on-call." });
    expect(newEntryTime((await page(facilitator, incident.reference)).html)).toBe(toInputValue("2026-10-06T14:40:00.000Z"));
  });
});

describe("a new action's due date", () => {
  const newAction = (ref: string, form: Record<string, string>) =>
    post(newActionPage, facilitator, `/incidents/${ref}/actions/new`, { ref }, { title: "Rotate the key", descriptionMd: "", ownerId: String(facilitator.id), priority: "P2", trackerUrl: "", whyId: "", ...form });

  it("in the past is not saved silently: the form asks to confirm it, with everything typed kept", async () => {
    const incident = await createIncident(facilitator);
    const asked = await newAction(incident.reference, { dueDate: "2020-01-06" });
    expect(asked.failure?.init.status).toBe(400);
    expect(asked.failure?.data.errors.dueDate?.[0]).toMatch(/^This date has already passed/);
    expect(asked.failure?.data.confirm).toBe("pastDue");
    expect(asked.failure?.data.values).toMatchObject({ title: "Rotate the key", dueDate: "2020-01-06" });
    expect(await listIncidentActions(incident.id)).toEqual([]);

    const confirmed = await newAction(incident.reference, { dueDate: "2020-01-06", pastDue: "confirmed" });
    expect(confirmed.redirect).toMatch(new RegExp(`^/incidents/${incident.reference}#action-\\d+$`));
    expect((await listIncidentActions(incident.id)).map((a) => a.dueDate)).toEqual(["2020-01-06"]);
  });

  it("today or later, or left to the policy, is saved at once", async () => {
    const incident = await createIncident(facilitator);
    expect((await newAction(incident.reference, { dueDate: await today() })).redirect).toMatch(/#action-\d+$/);
    expect((await newAction(incident.reference, { dueDate: "" })).redirect).toMatch(/#action-\d+$/);
    expect(await listIncidentActions(incident.id)).toHaveLength(2);
  });

  it("of an existing overdue action is saved when edited, without asking", async () => {
    const incident = await createIncident(facilitator);
    const action = await createAction(facilitator, incident.id, null, actionFields(facilitator.id, { dueDate: "2020-01-06" }));
    const result = await post(actionPage, facilitator, `/actions/${action.id}`, { id: String(action.id) }, {
      intent: "update",
      version: String(action.version),
      title: "Rotate the key, renamed",
      descriptionMd: "",
      ownerId: String(facilitator.id),
      priority: "P2",
      dueDate: "2020-01-06",
      trackerUrl: "",
    });
    expect(result.redirect).toBe(`/actions/${action.id}`);
  });
});
