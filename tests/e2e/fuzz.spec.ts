// Every form action of the app, from the route manifest of the production build, gets malformed
// and random form data as an admin (who may do the most): never a 5xx, and input that is
// refused (4xx) changes nothing in the database.
import { expect, test } from "@playwright/test";
import { firstAdmin, manifest, OWN_BASE, post, reportForm, urlOf, withOwnServer } from "./own-server";

// A small deterministic generator, so a failure can be replayed.
let seed = 20261124;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)];

const INTENTS = ["add-why", "update-why", "delete-why", "add-entry", "update-entry", "delete-entry", "apply-suggestion", "acknowledge-finding", "withdraw-acknowledgement", "link-incident", "unlink-incident", "republish", "move", "fields", "people", "add", "update", "link", "remove", "rename", "merge", "retry", "send", "status", "", "unknown"];
const FIELDS = ["intent", "whyId", "version", "question", "answer", "category", "remediationMd", "parentId", "branchOf", "entryId", "at", "bodyMd", "to", "field", "match", "reason", "relatedId", "title", "severity", "startedAt", "detectedAt", "resolvedAt", "services", "impactMd", "summaryMd", "visibility", "facilitatorId", "participantIds", "ownerId", "dueDate", "priority", "trackerUrl", "descriptionMd", "status", "wontDoReason", "email", "password", "confirm", "name", "team", "role", "userId", "id", "slug", "label", "into", "timeZone", "reminderHour", "digestDay", "digestHour", "digestTo", "digestWhenEmpty", "period", "redirectTo", "confirmDelete", "random-field"];
const VALUES = ["", " ", "0", "-1", "1", "2", "999999999", "1e309", "NaN", "1.5", "INC-0", "INC-99999", "true", "on", "[object Object]", "<script>alert(1)</script>", "'; drop table incidents; --", "\u0000", "𝕳𝖎𝖓𝖉𝖘𝖎𝖌𝖍𝖙", "../../etc/passwd", "2026-13-45T99:99", "2026-11-20T10:00", "2026-12-01", "SEV1", "SEV9", "org", "restricted", "admin", "analysis", "published", "done", "wont_do", "P1", "P7", "x".repeat(10_001), "javascript:alert(1)", "https://evil.example/", "%00%ff", "{}", "[]"];

function randomForm(): URLSearchParams {
  const form = new URLSearchParams();
  form.set("intent", pick(INTENTS));
  const count = Math.floor(random() * 8);
  for (let i = 0; i < count; i++) form.append(pick(FIELDS), pick(VALUES));
  return form;
}

test("random and malformed form posts to every action: no 5xx, and nothing changes when refused", async () => {
  test.setTimeout(180_000);
  await withOwnServer({}, async (file, dataDir) => {
    const admin = await firstAdmin();
    expect((await post("/incidents/new", reportForm("Fuzzed incident"), admin)).status).toBe(302);
    expect((await post("/incidents/INC-1?index", { intent: "move", to: "analysis" }, admin)).status).toBe(302);
    expect((await post("/incidents/INC-1?index", { intent: "add-why", question: "Why?", answer: "Because." }, admin)).status).toBe(302);
    expect((await post("/incidents/INC-1/actions/new", { title: "An action", ownerId: "1", priority: "P2" }, admin)).status).toBe(302);

    const routes = manifest(dataDir);
    // Signing out would end the session the rest runs in; its form carries no input.
    const targets = routes.filter((r) => r.hasAction && r.id !== "routes/signout");
    expect(targets.length).toBeGreaterThanOrEqual(12);
    const version = () => file.pragma("data_version", { simple: true });
    const problems: string[] = [];
    for (const route of targets) {
      const url = urlOf(route, routes);
      for (let i = 0; i < 25; i++) {
        const form = randomForm();
        const before = version();
        const response = await post(url, form, admin);
        await response.arrayBuffer();
        if (response.status >= 500) problems.push(`${response.status} from POST ${url} ${form}`);
        // A refused sign-in is recorded, by design, to throttle guessing.
        if (response.status >= 400 && route.id !== "routes/signin" && version() !== before) problems.push(`refused ${response.status} but changed the database: POST ${url} ${form}`);
      }
      // Not form data at all.
      for (const [type, body] of [["application/json", "{not json"], ["multipart/form-data; boundary=x", "--x\r\nbroken"], ["text/plain", "\u0000\u0001"]]) {
        const before = version();
        const response = await fetch(OWN_BASE + url, { method: "POST", redirect: "manual", headers: { "Content-Type": type, Origin: OWN_BASE, Cookie: admin }, body });
        await response.arrayBuffer();
        if (response.status >= 500) problems.push(`${response.status} from POST ${url} as ${type}`);
        if (response.status >= 400 && route.id !== "routes/signin" && version() !== before) problems.push(`refused ${response.status} as ${type} but changed the database: POST ${url}`);
      }
    }
    expect(problems.map((p) => p.slice(0, 300))).toEqual([]);
    expect(file.pragma("integrity_check", { simple: true })).toBe("ok");
  });
});
