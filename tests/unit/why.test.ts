import { beforeEach, describe, expect, it } from "vitest";
import { addWhyTree, createIncident, createUser, RIES_CHAIN, whyFields } from "../../db/factories";
import { Conflict, DomainError, Forbidden, NotFound, StateConflict } from "~/models/errors";
import { addWhy, deleteWhy, listWhys, updateWhy } from "~/models/why.server";
import { buildTree, flatten, maxDepth, nextQuestion, remediationGuidance, shallowBranchHint } from "~/models/why-tree";
import { freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

async function setup() {
  const facilitator = await createUser({ name: "Avery" });
  const incident = await createIncident(facilitator);
  return { facilitator, incident };
}

describe("the why tree", () => {
  it("asks why again one level deeper, down Ries's five levels", async () => {
    const { facilitator, incident } = await setup();
    await addWhyTree(facilitator, incident.id, RIES_CHAIN);
    const tree = buildTree(await listWhys(incident.id));
    expect(maxDepth(tree)).toBe(5);
    const chain = flatten(tree);
    expect(chain.map((n) => n.level)).toEqual([1, 2, 3, 4, 5]);
    expect(chain[4].question).toBe("Why was there no unit test?");
    expect(chain[4].parentId).toBe(chain[3].id);
  });

  it("branches: another answer to the same why sits beside the first, in order", async () => {
    const { facilitator, incident } = await setup();
    const [first] = await addWhyTree(facilitator, incident.id, [{ question: "Why was the site down?", answer: "CPU at 100%" }]);
    const a = await addWhy(facilitator, incident.id, first, whyFields({ question: "Why did CPU spike?", answer: "An infinite loop" }));
    const b = await addWhy(facilitator, incident.id, first, whyFields({ question: "Why did CPU spike?", answer: "A traffic surge" }));
    const [root] = buildTree(await listWhys(incident.id));
    expect(root.children.map((c) => c.answer)).toEqual(["An infinite loop", "A traffic surge"]);
    expect(root.children.map((c) => c.level)).toEqual([2, 2]);
    expect(b.position).toBeGreaterThan(a.position);
    expect(root.descendantCount).toBe(2);
  });

  it("refuses to hang a why under a why of another incident", async () => {
    const { facilitator, incident } = await setup();
    const other = await createIncident(facilitator, { title: "Other" });
    const [foreign] = await addWhyTree(facilitator, other.id, [{ question: "Why?" }]);
    await expect(addWhy(facilitator, incident.id, foreign, whyFields({ question: "Why again?" }))).rejects.toThrow(NotFound);
  });

  it("deleting a why with deeper whys needs confirmation and then removes them all", async () => {
    const { facilitator, incident } = await setup();
    const ids = await addWhyTree(facilitator, incident.id, RIES_CHAIN);
    let refusal: unknown;
    try {
      await deleteWhy(facilitator, incident.id, ids[2], false);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(StateConflict);
    expect((refusal as DomainError).message).toContain("2 deeper whys");
    expect(await listWhys(incident.id)).toHaveLength(5);
    expect(await deleteWhy(facilitator, incident.id, ids[2], true)).toEqual({ whys: 3, actionsKept: 0 });
    expect((await listWhys(incident.id)).map((w) => w.id)).toEqual(ids.slice(0, 2));
  });

  it("deletes a leaf without asking", async () => {
    const { facilitator, incident } = await setup();
    const ids = await addWhyTree(facilitator, incident.id, RIES_CHAIN);
    expect(await deleteWhy(facilitator, incident.id, ids[4], false)).toEqual({ whys: 1, actionsKept: 0 });
    expect(await listWhys(incident.id)).toHaveLength(4);
  });

  it("hints when a branch stops before level 5 unless the root is marked reached", async () => {
    const { facilitator, incident } = await setup();
    await addWhyTree(facilitator, incident.id, [
      { question: "Why?", answer: "A", children: [{ question: "Why A?", answer: "B" }, { question: "Why A?", answer: "C", rootReached: true }] },
    ]);
    const nodes = flatten(buildTree(await listWhys(incident.id)));
    expect(shallowBranchHint(nodes[0])).toBeUndefined();
    expect(shallowBranchHint(nodes[1])).toMatch(/stops at level 2/);
    expect(shallowBranchHint(nodes[2])).toBeUndefined();
  });

  it("guides proportional investment by level and severity", () => {
    expect(remediationGuidance("SEV1", 1)).toMatch(/restore/i);
    expect(remediationGuidance("SEV1", 5)).toMatch(/system/i);
    expect(remediationGuidance("SEV1", 5)).toMatch(/project/);
    expect(remediationGuidance("SEV4", 5)).toMatch(/small/);
    expect(remediationGuidance("SEV4", 7)).toBe(remediationGuidance("SEV4", 5));
  });
});

describe("editing a why", () => {
  it("saves with the version it was based on and renders the remediation", async () => {
    const { facilitator, incident } = await setup();
    const [id] = await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "Because" }]);
    const saved = await updateWhy(facilitator, incident.id, id, 1, whyFields({ question: "Why?", answer: "Because", remediation: "Add **alerts**" }));
    expect(saved.version).toBe(2);
    expect(saved.remediationHtml).toBe("<p>Add <strong>alerts</strong></p>");
  });

  it("refuses a save based on an older version and shows what is stored", async () => {
    const { facilitator, incident } = await setup();
    const [id] = await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "First" }]);
    await updateWhy(facilitator, incident.id, id, 1, whyFields({ question: "Why?", answer: "Avery's answer" }));
    let conflict: unknown;
    try {
      await updateWhy(facilitator, incident.id, id, 1, whyFields({ question: "Why?", answer: "Stale answer" }));
    } catch (e) {
      conflict = e;
    }
    expect(conflict).toBeInstanceOf(Conflict);
    expect((conflict as Conflict).current).toMatchObject({ answer: "Avery's answer", version: "2" });
    expect((await listWhys(incident.id))[0].answer).toBe("Avery's answer");
  });

  it("lets only the facilitator, participants and admins change whys", async () => {
    const { incident } = await setup();
    const bystander = await createUser();
    await expect(addWhy(bystander, incident.id, null, whyFields({ question: "Why?" }))).rejects.toThrow(Forbidden);
    const admin = await createUser({ role: "admin" });
    expect((await addWhy(admin, incident.id, null, whyFields({ question: "Why?" }))).id).toBeGreaterThan(0);
  });
});

describe("the question the quick row offers", () => {
  it("asks why of the answer above, as written, keeping capitals that are not a sentence's", () => {
    expect(nextQuestion("The lock had no timeout.")).toBe("Why the lock had no timeout?");
    expect(nextQuestion("CPU on all front-end servers went to 100%")).toBe("Why CPU on all front-end servers went to 100%?");
    expect(nextQuestion("Because the pool was sized for last year")).toBe("Why the pool was sized for last year?");
    expect(nextQuestion("  ")).toBe("");
  });

  it("stays within the question's limit", () => {
    const question = nextQuestion("Load ".repeat(200), 50);
    expect(question).toHaveLength(50);
    expect(question.endsWith("…?")).toBe(true);
  });
});
