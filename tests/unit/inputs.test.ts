// The domain's inputs: what an API sends as JSON and what a page's form sends as text are held
// to the same rules, refused with the same words, and read into the same data.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { fromForm } from "~/lib/form-input";
import { validate, validateForm } from "~/lib/http.server";
import {
  acknowledgement,
  actionChange,
  actionStatusChange,
  incidentChange,
  incidentInput,
  incidentPeople,
  incidentReport,
  lifecycleMove,
  newActionInput,
  newWhyInput,
  relatedLink,
  suggestionAcceptance,
  timelineEntryChange,
  timelineEntryInput,
  whyChange,
  whyDeletion,
  whyInput,
  MAX_ID,
} from "~/models/inputs";
import { FIELD_LIMITS, tooLongMessage } from "~/models/limits";

/** The messages by field, as a page shows them next to its fields. */
const errorsOf = (schema: z.ZodType, input: unknown) => {
  const result = validate(schema, input);
  return result.ok ? {} : result.errors;
};

const INCIDENT = {
  title: "Checkout down",
  severity: "SEV2",
  startedAt: "2026-10-06T14:02:00.000Z",
  detectedAt: "2026-10-06T14:10:00.000Z",
  resolvedAt: null,
  services: ["checkout", "payments api"],
  impactMd: "Card payments failed.",
  summaryMd: "",
  visibility: "org",
};

const ACTION = { title: "Rotate the key", descriptionMd: "", ownerId: 7, dueDate: "", priority: "P2", trackerUrl: "" };

describe("the inputs, as an API sends them", () => {
  it("refuse a number no stored thing can have (ids and versions are 32-bit on PostgreSQL), with the field's message", () => {
    expect(errorsOf(newActionInput, { ...ACTION, ownerId: MAX_ID + 1 })).toEqual({ ownerId: ["Choose an owner."] });
    expect(errorsOf(newActionInput, { ...ACTION, ownerId: MAX_ID })).toEqual({});
    expect(validate(whyDeletion, { whyId: 2 ** 31 }).ok).toBe(false);
    expect(validate(relatedLink, { relatedId: 2 ** 53 }).ok).toBe(false);
  });

  it("take an incident in its own types, with times in UTC and services as slugs", () => {
    const parsed = incidentReport.parse({ ...INCIDENT, startedAt: "2026-10-06T14:02:00Z", facilitatorId: 3 });
    expect(parsed).toEqual({ ...INCIDENT, services: ["checkout", "payments-api"], facilitatorId: 3 });
    expect(incidentInput.parse({ title: "Checkout down", severity: "SEV1", startedAt: INCIDENT.startedAt, visibility: "restricted" })).toEqual({
      title: "Checkout down",
      severity: "SEV1",
      startedAt: INCIDENT.startedAt,
      detectedAt: null,
      resolvedAt: null,
      services: [],
      impactMd: "",
      summaryMd: "",
      visibility: "restricted",
    });
  });

  it("refuse an incident with the forms' messages", () => {
    expect(errorsOf(incidentReport, { ...INCIDENT, title: " \n ", severity: "SEV9", visibility: undefined, facilitatorId: "3" })).toEqual({
      title: ["Give the incident a title."],
      severity: ["Choose a severity."],
      visibility: ["Choose who can see this incident."],
      facilitatorId: ["Choose a facilitator."],
    });
    // A time without its zone is not UTC: the API says which time it wants.
    expect(errorsOf(incidentInput, { ...INCIDENT, startedAt: "2026-10-06T14:02" }).startedAt).toEqual(["Enter when the incident started (UTC)."]);
    expect(errorsOf(incidentInput, { ...INCIDENT, startedAt: undefined }).startedAt).toEqual(["Enter when the incident started (UTC)."]);
    expect(errorsOf(incidentInput, { ...INCIDENT, detectedAt: "yesterday" }).detectedAt).toEqual(["Enter a date and time, or leave it empty."]);
    expect(errorsOf(incidentInput, { ...INCIDENT, title: "T".repeat(FIELD_LIMITS.incidentTitle + 1) }).title).toEqual([tooLongMessage(FIELD_LIMITS.incidentTitle)]);
    expect(errorsOf(incidentInput, { ...INCIDENT, services: Array.from({ length: 21 }, (_, i) => `s${i}`) }).services).toEqual(["List at most 20 services."]);
    expect(errorsOf(incidentInput, { ...INCIDENT, services: ["s".repeat(FIELD_LIMITS.service + 1)] }).services).toEqual([`Keep each service name under ${FIELD_LIMITS.service} characters.`]);
  });

  it("check that an incident's times come in order", () => {
    expect(errorsOf(incidentInput, { ...INCIDENT, detectedAt: "2026-10-06T13:00:00Z", resolvedAt: "2026-10-06T12:00:00Z" })).toEqual({
      detectedAt: ["Detected must be at or after the start."],
      resolvedAt: ["Resolved must be at or after the start."],
    });
    expect(errorsOf(incidentChange, { ...INCIDENT, resolvedAt: "2026-10-06T14:05:00Z", version: 2 })).toEqual({ resolvedAt: ["Resolved must be at or after detection."] });
    // A mistyped time is corrected first: the order is checked once every time is one.
    expect(errorsOf(incidentInput, { ...INCIDENT, detectedAt: "soon", resolvedAt: "2026-10-06T12:00:00Z" })).toEqual({
      detectedAt: ["Enter a date and time, or leave it empty."],
    });
  });

  it("take whys with a boolean root cause and a number or null for the parent", () => {
    const why = { question: "Why did the queue back up?", answer: "The consumer crashed.", rootReached: true };
    expect(newWhyInput.parse({ ...why, parentId: null })).toEqual({ ...why, parentId: null, category: "", remediationMd: "", noRemediationReason: "", noActionReason: "" });
    expect(newWhyInput.parse(why).parentId).toBeNull();
    expect(whyChange.parse({ ...why, whyId: 4, version: 2 })).toMatchObject({ whyId: 4, version: 2, rootReached: true });
    expect(errorsOf(newWhyInput, { question: "Why?", parentId: 3 }).answer).toEqual(["Write the answer too: a why is added with its answer."]);
    expect(errorsOf(newWhyInput, { question: "", answer: "   " })).toEqual({
      question: ["Write the question, e.g. “Why did the CPU spike?”"],
      answer: ["Write the answer too: a why is added with its answer."],
    });
    expect(errorsOf(whyInput, { ...why, answer: "x".repeat(FIELD_LIMITS.answer + 1) }).answer).toEqual([tooLongMessage(FIELD_LIMITS.answer)]);
    // A form's checkbox text and ids as text are the form's business, not the API's.
    expect(errorsOf(whyInput, { ...why, rootReached: "on" }).rootReached).toHaveLength(1);
    expect(errorsOf(whyChange, { ...why, whyId: "4", version: 0 })).toMatchObject({ whyId: [expect.any(String)], version: [expect.any(String)] });
    expect(whyDeletion.parse({ whyId: 4, confirm: "yes" })).toEqual({ whyId: 4, confirm: "yes" });
  });

  it("take timeline entries, findings, moves and related incidents with the forms' messages", () => {
    expect(timelineEntryInput.parse({ at: "2026-10-06T14:02:00Z", bodyMd: " Paged on-call. " })).toEqual({ at: "2026-10-06T14:02:00.000Z", bodyMd: "Paged on-call." });
    expect(errorsOf(timelineEntryChange, { at: "", bodyMd: "", entryId: 2, version: 1 })).toEqual({ at: ["Enter the time (UTC)."], bodyMd: ["Write what happened."] });
    const finding = { whyId: 3, field: "answer", match: "careless" };
    expect(errorsOf(acknowledgement, { ...finding, reason: " " }).reason).toEqual(["Say why this wording stays, e.g. it quotes someone's own account."]);
    expect(suggestionAcceptance.parse({ ...finding, version: 5 })).toEqual({ ...finding, version: 5 });
    expect(lifecycleMove.safeParse({ to: "published" }).success).toBe(true);
    expect(lifecycleMove.safeParse({ to: "done" }).success).toBe(false);
    expect(relatedLink.parse({ relatedId: 12 })).toEqual({ relatedId: 12 });
    // The API names another incident by its number; "INC-12" is how a person types it.
    expect(errorsOf(relatedLink, { relatedId: "INC-12" }).relatedId).toEqual(["Enter a reference like INC-12."]);
  });

  it("take follow-up actions with the forms' messages", () => {
    expect(newActionInput.parse({ ...ACTION, title: "Rotate\nthe key" })).toEqual({ ...ACTION, title: "Rotate the key", whyId: null });
    expect(actionChange.parse({ ...ACTION, dueDate: "2026-12-07", version: 3 })).toMatchObject({ dueDate: "2026-12-07", version: 3 });
    expect(errorsOf(newActionInput, { ...ACTION, ownerId: undefined, priority: "P9", dueDate: "next week", trackerUrl: "ftp://tracker/1", title: "" })).toEqual({
      title: ["Give the action a title."],
      ownerId: ["Choose an owner."],
      priority: ["Choose a priority."],
      dueDate: ["Enter a date, or leave it empty for the default."],
      trackerUrl: ["Enter a link starting with https://, or leave it empty."],
    });
    expect(errorsOf(newActionInput, { ...ACTION, ownerId: "7" }).ownerId).toEqual(["Choose an owner."]);
    expect(errorsOf(newActionInput, { ...ACTION, ownerId: 0 }).ownerId).toEqual(["Choose an owner."]);
    expect(errorsOf(actionStatusChange, { to: "wont_do", wontDoReason: "r".repeat(FIELD_LIMITS.reason + 1) }).wontDoReason).toEqual([tooLongMessage(FIELD_LIMITS.reason)]);
    expect(actionStatusChange.parse({ to: "done" })).toEqual({ to: "done", wontDoReason: "" });
  });
});

describe("a form's text, read as the inputs' types", () => {
  it("reads numbers as numbers, leaving out what is empty and keeping what is not a number", () => {
    expect(fromForm(newActionInput, { ...stringsOf(ACTION), ownerId: "7", whyId: "" })).toMatchObject({ ownerId: 7, whyId: null });
    expect(fromForm(actionChange, { version: "3", ownerId: "" })).toEqual({ version: 3 });
    expect(fromForm(actionChange, { ownerId: "someone" })).toMatchObject({ ownerId: "someone" });
    expect(validateForm(newActionInput, { ...stringsOf(ACTION), ownerId: "" })).toEqual({ ok: false, errors: { ownerId: ["Choose an owner."] } });
    expect(fromForm(newWhyInput, { question: "Why?", answer: "A", parentId: "" }).parentId).toBeNull();
  });

  it("reads a ticked checkbox as true and an unticked one, which sends nothing, as false", () => {
    expect(fromForm(whyInput, { question: "Why?", rootReached: "on" }).rootReached).toBe(true);
    expect(fromForm(whyInput, { question: "Why?", rootReached: "true" }).rootReached).toBe(true);
    expect(fromForm(whyInput, { question: "Why?" }).rootReached).toBe(false);
  });

  it("reads services typed with commas or one per line, as the incident keeps them", () => {
    const form = { ...stringsOf(INCIDENT), services: "Checkout, payments api\nCHECKOUT\n" };
    expect(fromForm(incidentInput, form).services).toEqual(["Checkout", "payments api", "CHECKOUT"]);
    expect(validateForm(incidentInput, form)).toMatchObject({ ok: true, data: { services: ["checkout", "payments-api"] } });
  });

  it("reads a datetime-local time as UTC, an empty optional time as null, and keeps a mistyped one for its message", () => {
    const form = { ...stringsOf(INCIDENT), startedAt: "2026-10-06T14:02", detectedAt: "", resolvedAt: "14:30" };
    expect(fromForm(incidentInput, form)).toMatchObject({ startedAt: "2026-10-06T14:02:00.000Z", detectedAt: null, resolvedAt: "14:30" });
    expect(validateForm(incidentInput, form)).toEqual({ ok: false, errors: { resolvedAt: ["Enter a date and time, or leave it empty."] } });
    expect(validateForm(incidentReport, { ...form, startedAt: "", resolvedAt: "", severity: "", facilitatorId: "" })).toEqual({
      ok: false,
      errors: { startedAt: ["Enter when the incident started (UTC)."], severity: ["Choose a severity."], facilitatorId: ["Choose a facilitator."] },
    });
    expect(validateForm(timelineEntryInput, { at: "", bodyMd: "Paged." })).toEqual({ ok: false, errors: { at: ["Enter the time (UTC)."] } });
  });

  it("reads another incident's reference as its number, and refuses a bad one next to the field", () => {
    expect(fromForm(relatedLink, { relatedId: " inc-12 ", whyId: "" })).toEqual({ relatedId: 12 });
    expect(validateForm(relatedLink, { relatedId: "INC-12", whyId: "4" })).toEqual({ ok: true, data: { relatedId: 12, whyId: 4 } });
    expect(validateForm(relatedLink, { relatedId: "12" })).toEqual({ ok: true, data: { relatedId: 12 } });
    for (const typed of ["INC-twelve", "12-INC", "INC-0", ""]) {
      expect(validateForm(relatedLink, { relatedId: typed })).toEqual({ ok: false, errors: { relatedId: ["Enter a reference like INC-12."] } });
    }
    // Only a field that names an incident reads a reference: a why or a version is a plain number.
    expect(fromForm(relatedLink, { relatedId: "INC-12", whyId: "INC-4" }).whyId).toBe("INC-4");
    expect(fromForm(actionChange, { version: "INC-3" }).version).toBe("INC-3");
  });

  it("reads repeated fields of a posted form as a list", () => {
    const form = new FormData();
    form.append("facilitatorId", "1");
    for (const id of ["2", "3"]) form.append("participantIds", id);
    expect(validateForm(incidentPeople, form)).toEqual({ ok: true, data: { facilitatorId: 1, participantIds: [2, 3] } });
    expect(validateForm(incidentPeople, { facilitatorId: "1", participantIds: "2,3" })).toEqual({ ok: true, data: { facilitatorId: 1, participantIds: [2, 3] } });
    expect(validateForm(incidentPeople, { facilitatorId: "1", participantIds: "" })).toEqual({ ok: true, data: { facilitatorId: 1, participantIds: [] } });
  });
});

/** A value as a form's field sends it. */
function stringsOf(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [name, value === null ? "" : Array.isArray(value) ? value.join(", ") : String(value)]),
  );
}

describe("the same input, sent as JSON or as a form", () => {
  const cases: [string, z.ZodObject, Record<string, unknown>, Record<string, string>][] = [
    [
      "a new incident",
      incidentReport,
      { ...INCIDENT, facilitatorId: 3 },
      { ...stringsOf(INCIDENT), startedAt: "2026-10-06T14:02", detectedAt: "2026-10-06T14:10", facilitatorId: "3" },
    ],
    ["a new why", newWhyInput, { question: "Why?", answer: "Because.", parentId: 4, rootReached: true }, { question: "Why?", answer: "Because.", parentId: "4", rootReached: "on" }],
    ["a why left open", whyChange, { question: "Why?", answer: "", whyId: 4, version: 2, rootReached: false }, { question: "Why?", answer: "", whyId: "4", version: "2" }],
    ["a timeline entry", timelineEntryChange, { at: "2026-10-06T14:02:00.000Z", bodyMd: "Paged.", entryId: 9, version: 1 }, { at: "2026-10-06T14:02", bodyMd: "Paged.", entryId: "9", version: "1" }],
    ["a follow-up action", newActionInput, { ...ACTION, whyId: null }, { ...stringsOf(ACTION), whyId: "" }],
    ["a related incident", relatedLink, { relatedId: 12, whyId: 4 }, { relatedId: "INC-12", whyId: "4" }],
  ];

  it.each(cases)("gives the same data: %s", (_name, schema, json, form) => {
    const fromJson = validate(schema, json);
    expect(fromJson.ok).toBe(true);
    expect(validateForm(schema, form)).toEqual(fromJson);
  });
});
