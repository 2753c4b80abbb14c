import { beforeEach, describe, expect, it } from "vitest";
import { createIncident, createUser } from "../../db/factories";
import * as insightsPage from "~/routes/insights";
import { freshDatabase } from "./helpers";
import { renderPage, type RouteModule } from "./render";

const textOf = (html: string) => html.replace(/<!-- -->/g, "").replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/\s+/g, " ");
const insights = async (userId: number, path: string) => (await renderPage(userId, path, [{ pattern: "/insights", module: insightsPage as unknown as RouteModule }])).html;

describe("the Insights page with nothing in its period", () => {
  beforeEach(async () => {
    await freshDatabase();
  });

  it("names the period it shows and offers to widen it to the latest earlier incident", async () => {
    const admin = await createUser({ role: "admin", team: "SRE" });
    await createIncident(admin, { title: "Old outage", startedAt: "2024-05-10T09:00:00.000Z", detectedAt: null, resolvedAt: null });
    const html = await insights(admin.id, "/insights?from=2026-01-01&to=2026-06-30");
    const text = textOf(html);
    expect(text).toContain("No incidents started between 1 Jan 2026 and 30 Jun 2026. The latest one before started on 10 May 2024.");
    expect(text).not.toContain("twelve months");
    expect(text).not.toContain("Report an incident");
    expect(html).toContain('href="/insights?from=2024-05-01&amp;to=2026-06-30"');
    expect(text).toContain("Widen the period to start on 1 May 2024");

    // The widened period holds the incident.
    const widened = textOf(await insights(admin.id, "/insights?from=2024-05-01&to=2026-06-30"));
    expect(widened).not.toContain("No incidents started");
    expect(widened).toMatch(/Incidents 1 /);
  });

  it("keeps the default period's dates in its words, and offers to report an incident when there is none at all", async () => {
    const admin = await createUser({ role: "admin" });
    const text = textOf(await insights(admin.id, "/insights"));
    expect(text).toMatch(/No incidents started between 1 \w+ \d{4} and \d+ \w+ \d{4}\./);
    expect(text).not.toContain("twelve months");
    expect(text).toContain("Report an incident");
  });

  it("never offers an earlier incident the viewer may not see", async () => {
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    await createIncident(admin, { title: "Secret", visibility: "restricted", startedAt: "2024-05-10T09:00:00.000Z", detectedAt: null, resolvedAt: null });
    const text = textOf(await insights(member.id, "/insights?from=2026-01-01&to=2026-06-30"));
    expect(text).not.toContain("Widen the period");
    expect(text).not.toContain("10 May 2024");
  });
});
