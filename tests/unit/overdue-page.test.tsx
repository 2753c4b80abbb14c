import { beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { createAction } from "~/models/action.server";
import * as actionsLayout from "~/routes/actions";
import * as overduePage from "~/routes/actions.overdue";
import { freshDatabase } from "./helpers";
import { renderPage, type RouteModule } from "./render";

const textOf = (html: string) => html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
const overdue = async (userId: number) =>
  textOf(
    (
      await renderPage(userId, "/actions/overdue", [
        { pattern: "/actions", module: actionsLayout as unknown as RouteModule },
        { pattern: "overdue", module: overduePage as unknown as RouteModule },
      ])
    ).html,
  );

describe("the Overdue page", () => {
  beforeEach(async () => {
    await freshDatabase();
  });

  it("shows every team's overdue actions, grouped by team with each team's count, the viewer's team first", async () => {
    const ada = await createUser({ name: "Ada Web", team: "Web" });
    const sam = await createUser({ name: "Sam Data", team: "Data" });
    const incident = await createIncident(ada);
    await createAction(ada, incident.id, null, actionFields(ada.id, { title: "Fix the web retry", dueDate: "2020-01-01" }));
    await createAction(ada, incident.id, null, actionFields(sam.id, { title: "Fix the data import", dueDate: "2020-02-01" }));
    await createAction(ada, incident.id, null, actionFields(sam.id, { title: "Fix the data export", dueDate: "2020-03-01" }));

    const text = await overdue(sam.id);
    expect(text).toContain("3 overdue in 2 teams, grouped by team below");
    const data = text.indexOf("Data (2 overdue, 1 person)");
    const web = text.indexOf("Web (1 overdue, 1 person)");
    expect(data).toBeGreaterThan(-1);
    expect(web).toBeGreaterThan(data);
    expect(text.slice(data, web)).toContain("Sam Data (2) Fix the data import");
    expect(text.slice(data, web)).toContain("Fix the data export");
    expect(text.slice(web)).toContain("Ada Web (1) Fix the web retry");
  });

  it("lists at most ten people a team, most behind first, and links to the rest", async () => {
    const lead = await createUser({ name: "Lead", team: "Web" });
    const incident = await createIncident(lead);
    await createAction(lead, incident.id, null, actionFields(lead.id, { title: "Lead's first", dueDate: "2020-01-01" }));
    await createAction(lead, incident.id, null, actionFields(lead.id, { title: "Lead's second", dueDate: "2020-01-02" }));
    for (let i = 0; i < 11; i++) {
      const person = await createUser({ name: `Person ${String(i).padStart(2, "0")}`, team: "Web" });
      await createAction(lead, incident.id, null, actionFields(person.id, { title: `Fix ${i}`, dueDate: "2020-01-01" }));
    }
    const text = await overdue(lead.id);
    expect(text).toContain("Web (13 overdue, 12 people)");
    expect(text).toContain("Lead (2)");
    expect(text).toContain("and 2 more people in Web");
    expect(text).not.toContain("Person 10");
  });
});
