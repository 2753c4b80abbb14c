import { beforeEach, describe, expect, it } from "vitest";
import { addTimeline, addWhyTree, advanceTo, createIncident, createUser, RIES_CHAIN } from "../../db/factories";
import { setPeople } from "~/models/incident.server";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import { freshDatabase } from "./helpers";
import { renderPage, type RouteModule } from "./render";

// One page, two views: everyone who may see an incident reads it; only those who may contribute
// get its forms and what they need (Markdown sources, versions, the people for the wording
// check, the findings). docs/decisions/0021-forms-that-work-without-javascript.md

const REMEDIATION_SOURCE = "Add **a deploy lock** on the shared pipeline.";
const ENTRY_SOURCE = "Paged the *on-call* rotation.";

async function analysis() {
  const facilitator = await createUser({ name: "Avery" });
  const participant = await createUser({ name: "Blake" });
  const reader = await createUser({ name: "Casey" });
  const incident = await createIncident(facilitator);
  await setPeople(facilitator, incident.id, facilitator.id, [participant.id]);
  await advanceTo(facilitator, incident.id, "analysis");
  await addWhyTree(facilitator, incident.id, [{ ...RIES_CHAIN[0], remediation: REMEDIATION_SOURCE, children: [] }]);
  await addTimeline(facilitator, incident.id, [{ at: "2026-10-06T14:05:00Z", text: ENTRY_SOURCE }]);
  return { facilitator, participant, reader, incident };
}

const page = (userId: number, reference: string) =>
  renderPage(userId, `/incidents/${reference}`, [
    { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
    { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
  ]);

beforeEach(async () => {
  await freshDatabase();
});

describe("the incident page", () => {
  it("gives a reader the analysis with no forms and none of what editing needs", async () => {
    const { reader, incident } = await analysis();
    const { html, data } = await page(reader.id, incident.reference);
    expect(html).toContain("deploy lock");
    expect(html).toContain("on-call");
    expect(html, "no form posts from a reader's page").not.toMatch(/<form[^>]*method="post"/i);
    expect(data, "no Markdown source of a remediation").not.toContain("**a deploy lock**");
    expect(data, "no Markdown source of a timeline entry").not.toContain("*on-call*");
    expect(data).not.toMatch(/"remediationMd"|"bodyMd"|"version"|"findings"|"people"/);
    expect(JSON.parse(data).r1.editing).toBeNull();
  });

  it("gives a participant the forms, with each why's and entry's source and version to save against", async () => {
    const { participant, incident } = await analysis();
    const { html, data } = await page(participant.id, incident.reference);
    const { editing, whys } = JSON.parse(data).r1 as { editing: { whys: { sources: Record<string, { remediationMd: string; version: number }>; people: string[] } }; whys: { id: number }[] };
    expect(editing.whys.sources[whys[0].id]).toEqual({ remediationMd: REMEDIATION_SOURCE, version: expect.any(Number) });
    expect(editing.whys.people).toEqual(["Avery", "Blake"]);
    expect(html).toContain("**a deploy lock**");
    expect(html).toMatch(/name="intent" value="update-why"/);
    expect(html).toMatch(/name="intent" value="update-entry"/);
    // The quick row for the next level, and what a follow-up action on the card starts from.
    expect(html).toMatch(/name="quick" value="yes"/);
    const actionTitles = (editing.whys as unknown as { actionTitles: Record<string, string> }).actionTitles;
    expect(actionTitles[whys[0].id]).toBe("Add a deploy lock on the shared pipeline.");
  });
});
