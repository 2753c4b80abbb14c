import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, addWhyTree, createIncident, createUser } from "../../db/factories";
import { changeActionStatus, createAction } from "~/models/action.server";
import * as actionsLayout from "~/routes/actions";
import * as summaryPage from "~/routes/actions.summary";
import * as incidentLayout from "~/routes/incidents.$ref";
import * as incidentPage from "~/routes/incidents.$ref._index/route";
import * as insightsPage from "~/routes/insights";
import { freshDatabase } from "./helpers";
import { renderPage, type RouteModule } from "./render";

/** The page's text as a reader sees it, without markup. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;/g, "'").replace(/\s+/g, " ");

// 7 actions: 2 done, 5 open, 1 of them overdue. Of the finished ones all were done, which the old
// "completion rate" showed as 100%.
async function sevenActions() {
  const admin = await createUser({ role: "admin", team: "SRE" });
  const incident = await createIncident(admin, { summaryMd: "What happened." });
  const [whyId] = await addWhyTree(admin, incident.id, [{ question: "Why?", answer: "Because", remediation: "Add a test", rootReached: true }]);
  const ids: number[] = [];
  for (let i = 0; i < 7; i++) {
    ids.push((await createAction(admin, incident.id, whyId, actionFields(admin.id, { title: `Fix ${i}`, dueDate: i === 6 ? "2020-01-01" : "2099-01-01" }))).id);
  }
  await changeActionStatus(admin, ids[0], "done");
  await changeActionStatus(admin, ids[1], "done");
  return { admin, incident };
}

describe("follow-up action figures", () => {
  beforeEach(async () => {
    await freshDatabase();
  });

  it("say how many are done of all on the incident page, and name the other ratio for what it is", async () => {
    const { admin, incident } = await sevenActions();
    const page = await renderPage(admin.id, `/incidents/${incident.reference}`, [
      { pattern: "/incidents/:ref", module: incidentLayout as unknown as RouteModule },
      { pattern: "", module: incidentPage as unknown as RouteModule, index: true },
    ]);
    const text = textOf(page.html);
    expect(text).toContain("Progress 2 of 7 done, 5 open, 1 overdue");
    expect(text).toContain("Done rather than dropped 100% of 2 finished");
    expect(text).not.toContain("Completion rate");
  });

  it("give the share done of all on the actions summary and Insights", async () => {
    const { admin } = await sevenActions();
    const summary = textOf(
      (
        await renderPage(admin.id, "/actions/summary", [
          { pattern: "/actions", module: actionsLayout as unknown as RouteModule },
          { pattern: "summary", module: summaryPage as unknown as RouteModule },
        ])
      ).html,
    );
    expect(summary).toContain("Share done");
    expect(summary).toContain("29% (2 of 7) 100% of 2 finished");
    expect(summary).not.toContain("Completion rate");

    const insights = textOf((await renderPage(admin.id, "/insights?from=2026-10-01&to=2026-10-31", [{ pattern: "/insights", module: insightsPage as unknown as RouteModule }])).html);
    expect(insights).toContain("Follow-up actions done 29% (2 of 7)");
    expect(insights).toContain("Done rather than dropped 100% of 2 finished");
    expect(insights).not.toContain("Completion rate");
  });
});
