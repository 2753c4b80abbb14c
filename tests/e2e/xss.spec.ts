// Hostile text through every text and Markdown field, then every page that shows it, in Chromium.
// Each payload of tests/xss-payloads.ts goes into: incident titles, services, impact and summary;
// why questions, answers, remediations and the reasons for no remediation, no action and for
// keeping a wording; timeline entries; action titles, descriptions and won't-do reasons; people's
// names and teams; category names. Pages reflect the search box (every payload) and the sign-in
// page's redirect (the first 20).
//
// The browser ignores the Content-Security-Policy here (`bypassCSP`), so escaping and the
// sanitizer must hold on their own; the policy is a second wall, tested in headers.spec.ts.
// A payload's script sets a canary global and opens a dialog: neither may happen. The pages'
// DOM and every piece of HTML stored in the database must hold no handler attribute, script
// URL, script, frame or style the app did not write itself.
//
// Each run sends a seeded sample of the payloads (the first, a plain script tag, always among
// them): about a fifth of the page loads of the whole matrix. The seed is printed; XSS_SEED=n
// replays a run, XSS_SAMPLE=all sends every payload. The sanitizer's unit test renders every
// payload on every run.
import { expect, test } from "@playwright/test";
import { runSeed, sample } from "../seeded";
import { oneLine } from "../../app/models/inputs";
import { PAYLOADS } from "../xss-payloads";
import { SIGNED_OUT } from "./helpers";
import { firstAdmin, OWN_BASE, post, reportForm, withOwnStore } from "./own-server";
import { storedText, type Stored } from "./stored";

const SAMPLE_SIZE = process.env.XSS_SAMPLE === "all" ? PAYLOADS.length : 24;
const SEED = runSeed("xss");
const CHOSEN = [PAYLOADS[0], ...sample(PAYLOADS.slice(1), SAMPLE_SIZE - 1, SEED.seed)];
// A payload that runs sets the canary before its alert.
const ARMED = CHOSEN.map(([name, payload]) => ({ name, payload: payload.replaceAll("alert(1)", "(self.hsPwned=1,alert(1))") }));
const GROUP = 10;

test.use({ bypassCSP: true, storageState: SIGNED_OUT });

/**
 * Everything in a document that could run script or restyle the page: the open page, or HTML
 * parsed inertly. Rendered Markdown may hold no styles or forms at all; an email may style itself
 * inline; a page may have the app's own scripts (from /assets/ or with the response's nonce) and
 * the links Remix adds to prefetch its routes.
 */
function findDanger({ html, kind }: { html: string | null; kind: "page" | "markdown" | "email" }): string[] {
  const doc = html === null ? document : new DOMParser().parseFromString(html, "text/html");
  const problems: string[] = [];
  const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "xlink:href", "srcset", "data", "background", "poster", "lowsrc", "dynsrc"];
  const APP_LINKS = ["modulepreload", "prefetch", "preload"];
  for (const el of Array.from(doc.querySelectorAll("*"))) {
    const tag = el.tagName.toLowerCase();
    const inBody = el.closest("body") !== null;
    const userContent = kind === "markdown" || el.parentElement?.closest(".prose") != null;
    for (const attribute of Array.from(el.attributes)) {
      const name = attribute.name.toLowerCase();
      const squashed = attribute.value.replace(/[\u0000-\u0020]/g, "").toLowerCase();
      if (name.startsWith("on")) problems.push(`<${tag} ${name}="${attribute.value.slice(0, 60)}">`);
      if (URL_ATTRIBUTES.includes(name) && /^(javascript|vbscript|data):|(^|,)(javascript|vbscript):/.test(squashed)) problems.push(`<${tag} ${name}="${attribute.value.slice(0, 60)}">`);
      if (userContent && ["style", "srcdoc", "formaction", "class", "id"].includes(name) && !(tag === "code" && name === "class" && /^language-[\w-]+$/.test(attribute.value))) {
        problems.push(`<${tag} ${name}> in user content`);
      }
    }
    if (["object", "embed", "base", "frame", "frameset", "applet"].includes(tag)) problems.push(`<${tag}>`);
    if (userContent && ["math", "svg", "template", "form", "input", "button", "textarea", "select", "iframe", "video", "audio", "details", "marquee"].includes(tag)) problems.push(`<${tag}> in user content`);
    if (tag === "meta" && /refresh/i.test(el.getAttribute("http-equiv") ?? "")) problems.push("<meta http-equiv=refresh>");
    if (tag === "script" && (kind !== "page" || !((el.getAttribute("src") ?? "").startsWith("/assets/") || (el as HTMLScriptElement).nonce || el.getAttribute("nonce")))) {
      problems.push(`<script>${(el.textContent ?? "").slice(0, 60)}`);
    }
    if (tag === "style" && (kind !== "page" || inBody)) problems.push("<style>");
    if (tag === "link") {
      const href = el.getAttribute("href") ?? "";
      const own = kind === "page" && APP_LINKS.includes((el.getAttribute("rel") ?? "").toLowerCase()) && href.startsWith("/") && !href.startsWith("//");
      if ((kind !== "page" || inBody) && !own) problems.push(`<link rel="${el.getAttribute("rel")}" href="${href.slice(0, 60)}">`);
    }
    if (tag === "iframe" && kind === "page") {
      // The digest preview shows the email in a frame with every sandbox flag set; its HTML is checked as an email.
      if (el.getAttribute("sandbox") !== "") problems.push("<iframe> not fully sandboxed");
      problems.push(...findDanger({ html: el.getAttribute("srcdoc") ?? "", kind: "email" }).map((p) => `in the framed email: ${p}`));
    }
  }
  return problems;
}

test("XSS payloads through every text and Markdown field run no script in Chromium", async ({ page, context }) => {
  // About 100 page loads for a sample (400 for every payload): a minute or two on two cores, more
  // when they are busy. The limit is only there to end a hung run, never to decide the test.
  test.setTimeout(1_200_000);
  console.log(`XSS matrix: ${ARMED.length} of ${PAYLOADS.length} payloads; replay this sample with ${SEED.replay}`);
  test.info().annotations.push({ type: "seed", description: SEED.replay });
  expect(PAYLOADS.length).toBeGreaterThanOrEqual(50);
  expect(ARMED.length).toBe(SAMPLE_SIZE);
  await withOwnStore({ env: { DIGEST_TO: "everyone@example.com", APP_URL: OWN_BASE } }, async (stored) => {
    const admin = await firstAdmin();
    await storeEverywhere(admin, stored);
    await context.addCookies([{ name: "hs_session", value: admin.split("=")[1], url: OWN_BASE }]);

    const ran: string[] = [];
    page.on("dialog", (dialog) => {
      ran.push(`a dialog ("${dialog.message()}") on ${page.url()}`);
      void dialog.dismiss();
    });
    const problems: string[] = [];
    const visit = async (pathname: string) => {
      const response = await page.goto(OWN_BASE + pathname);
      expect(response?.status(), pathname).toBeLessThan(400);
      // Hover and focus everything a payload might have hooked, then let errors and timers fire.
      await page.mouse.move(200, 200);
      await page.waitForTimeout(30);
      if (await page.evaluate(() => "hsPwned" in self)) ran.push(`the canary was set on ${pathname}`);
      problems.push(...(await page.evaluate(findDanger, { html: null, kind: "page" as const })).map((p) => `${pathname}: ${p}`));
    };

    const ids = async (statement: string) => (await stored.all<{ id: number }>(statement)).map((row) => row.id);
    const groups = await ids("select id from incidents where title like 'Group %' order by id");
    const actionIds = await ids("select id from actions order by id");
    expect(groups.length).toBe(Math.ceil(ARMED.length / GROUP));
    expect(actionIds.length).toBe(ARMED.length);

    // Each published group: its page, history, edit form, new-action form (which shows a remediation) and learnings page.
    for (const id of groups) {
      const whyId = await stored.value<number>("select id from whys where incident_id = ? and remediation_md <> '' order by id", id);
      for (const tab of ["", "/history", "/edit", `/actions/new?whyId=${whyId}`]) await visit(`/incidents/INC-${id}${tab}`);
      await visit(`/learnings/INC-${id}`);
    }
    for (const id of actionIds) await visit(`/actions/${id}`);
    const titled = await ids("select id from incidents where title not like 'Group %' order by id limit 20");
    for (const id of titled) await visit(`/incidents/INC-${id}`);
    // Every page of the lists, following their own "Older" and "Next" links.
    const pages: Record<string, number> = {};
    for (const start of ["/incidents", "/actions/all", "/actions/all?status=wont_do", "/learnings"]) {
      for (let next: string | null = start; next; pages[start] = (pages[start] ?? 0) + 1) {
        await visit(next);
        // The page is loaded and server-rendered: the link is there now or not at all.
        const link = page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: /Older|Next/ });
        const href = (await link.count()) > 0 ? await link.getAttribute("href") : null;
        next = href === null ? null : ((url) => url.pathname + url.search)(new URL(href, page.url()));
      }
    }
    expect(pages["/incidents"]).toBe(Math.ceil((groups.length + ARMED.length) / 25));
    expect(pages["/actions/all?status=wont_do"]).toBe(Math.ceil(Math.floor(ARMED.length / 2) / 25));
    for (const pathname of ["/actions", "/actions/overdue", "/actions/summary", "/insights", "/digest", "/digest/1", "/admin/users", "/admin/categories", "/admin/outbox", "/search?q=alert", "/search?q=script"]) await visit(pathname);
    // Reflected: the search box and the sign-in page's redirect.
    for (const { payload } of ARMED) await visit(`/search?q=${encodeURIComponent(payload)}`);
    await context.clearCookies();
    for (const { payload } of ARMED.slice(0, 20)) await visit(`/signin?redirectTo=${encodeURIComponent(payload)}`);
    // The HTML the app stores: rendered Markdown, publication snapshots, the learnings and the emails.
    const html = await storedHtml(stored);
    expect(html.length).toBeGreaterThan(ARMED.length * 5);
    const inStore = await page.evaluate(
      ({ check, htmls }) => {
        const run = new Function(`return ${check}`)() as typeof findDanger;
        return htmls.flatMap(([where, html]) => run({ html, kind: where.startsWith("outbox.") ? "email" : "markdown" }).map((p) => `${where}: ${p}`));
      },
      { check: findDanger.toString(), htmls: html },
    );
    problems.push(...inStore);
    // The Atom feed is XML that feed readers render as HTML.
    const atom = await fetch(`${OWN_BASE}/learnings.atom`, { headers: { Cookie: admin } }).then((r) => r.text());
    const feed = await page.evaluate(({ check, xml }) => {
      const doc = new DOMParser().parseFromString(xml, "application/xml");
      if (doc.querySelector("parsererror")) return ["the feed is not well-formed XML"];
      const run = new Function(`return ${check}`)() as typeof findDanger;
      return Array.from(doc.querySelectorAll("content, summary, title")).flatMap((node) => (node.getAttribute("type") === "html" ? run({ html: node.textContent ?? "", kind: "markdown" }) : []));
    }, { check: findDanger.toString(), xml: atom });
    problems.push(...feed.map((p) => `learnings.atom: ${p}`));
    expect(atom).toContain("(self.hsPwned=1,alert(1))");

    expect([...new Set(ran)]).toEqual([]);
    expect([...new Set(problems)]).toEqual([]);
  });
});

/** Posts every payload into every field over HTTP, as the admin, and checks each was stored as typed. */
async function storeEverywhere(admin: string, stored: Stored) {
  const sent = async (pathname: string, form: Record<string, string>, what: string) => {
    const response = await post(pathname, form, admin);
    const body = await response.text();
    expect([200, 302], `${what}: ${response.status} ${body.slice(0, 200)}`).toContain(response.status);
    return response;
  };
  const refOf = (response: Response) => /INC-\d+/.exec(response.headers.get("location") ?? "")![0];

  // Names, teams and category names (cut to their limits), as many categories as there may be
  // (100, CATEGORY_LIMIT in app/models/category.server.ts) when every payload is sent.
  const categoryRoom = 100 - (await stored.value<number>("select count(*) from cause_categories where merged_into is null"));
  for (const [i, { payload }] of ARMED.entries()) {
    await sent("/admin/users", { intent: "add", name: payload.slice(0, 100), email: `person${i}@example.com`, team: payload.slice(0, 60), role: "member" }, "a person");
    if (i < categoryRoom) await sent("/admin/categories", { intent: "add", label: `${i} ${payload}`.slice(0, 60) }, "a category");
  }
  const ownerOf = async (i: number) => String(await stored.value<number>("select id from users where email = ?", `person${i}@example.com`));

  for (let start = 0; start < ARMED.length; start += GROUP) {
    const group = ARMED.slice(start, start + GROUP);
    const created = await sent(
      "/incidents/new",
      {
        ...reportForm(`Group ${start / GROUP + 1}`),
        services: group.map((g) => g.payload.slice(0, 60).replaceAll(",", " ")).join(","),
        impactMd: group.map((g) => g.payload).join("\n\n"),
        summaryMd: group.map((g) => g.payload).join("\n\n"),
        resolvedAt: "2026-11-20T11:00",
      },
      "a group incident",
    );
    const ref = refOf(created);
    const page = `/incidents/${ref}?index`;
    await sent(page, { intent: "move", to: "analysis" }, "analysis");
    for (const [j, { name, payload }] of group.entries()) {
      const i = start + j;
      // A why with a remediation and its action; a why with none; a why whose blaming wording is kept for a reason.
      const why = await sent(page, { intent: "add-why", parentId: "", question: payload, answer: payload, remediationMd: payload }, `why: ${name}`);
      const whyId = /#why-(\d+)/.exec(why.headers.get("location") ?? "")![1];
      await sent(`/incidents/${ref}/actions/new`, { title: payload.slice(0, 200), descriptionMd: payload, ownerId: await ownerOf(i), priority: "P2", dueDate: "2026-11-01", pastDue: "confirmed", whyId }, `action: ${name}`);
      const actionId = await stored.value<number>("select max(id) from actions");
      if (i % 2 === 1) await sent(`/actions/${actionId}`, { intent: "status", to: "wont_do", wontDoReason: payload }, `won't do: ${name}`);
      await sent(page, { intent: "add-why", parentId: whyId, question: payload, answer: payload, noRemediationReason: payload, noActionReason: payload }, `why without remediation: ${name}`);
      const kept = await sent(page, { intent: "add-why", parentId: whyId, question: payload, answer: "Because the on-call engineer should have checked the dashboard.", noRemediationReason: "None needed." }, `blaming why: ${name}`);
      const keptId = /#why-(\d+)/.exec(kept.headers.get("location") ?? "")![1];
      await sent(page, { intent: "acknowledge-finding", whyId: keptId, field: "answer", match: "the on-call engineer should have checked", reason: payload }, `kept wording: ${name}`);
      await sent(page, { intent: "add-entry", at: "2026-11-20T10:05", bodyMd: payload }, `timeline: ${name}`);
    }
    // A payload can read as blame to the wording check: every finding is kept, with a payload as the reason.
    const incidentId = Number(ref.slice(4));
    for (const row of await stored.all<{ id: number; findings: string | null }>("select id, cast(blame_findings as text) as findings from whys where incident_id = ?", incidentId)) {
      for (const f of (JSON.parse(row.findings ?? "{}") as { items?: { field: string; match: string }[] }).items ?? []) {
        const known = await stored.get("select 1 from blame_acknowledgements where why_id = ? and field = ? and \"match\" = ?", row.id, f.field, f.match.trim().replace(/\s+/g, " ").toLowerCase());
        if (!known) await sent(page, { intent: "acknowledge-finding", whyId: String(row.id), field: f.field, match: f.match, reason: group[0].payload }, `kept finding of why ${row.id}`);
      }
    }
    await sent(page, { intent: "move", to: "review" }, "review");
    await sent(page, { intent: "move", to: "published" }, "publish");
  }
  // Titles: an incident for each payload.
  for (const { name, payload } of ARMED) await sent("/incidents/new", reportForm(payload.slice(0, 200)), `title: ${name}`);
  // The next digest, written to the outbox (and viewable afterwards as digest #1).
  await sent("/digest", { intent: "send" }, "digest");

  // Stored as typed: nothing lost, nothing rewritten, except that a field of one line (a
  // question, a title) keeps to one line (line breaks and control characters become spaces).
  // Payloads that differ only in a tab or a line break are the same text on one line. A NUL
  // character is stored as the engine can hold it (storedText).
  const sameLine = (text: string) => ARMED.filter((p) => oneLine(p.payload).trim() === oneLine(text).trim()).length;
  const sameTitle = (text: string) => ARMED.filter((p) => oneLine(p.payload.slice(0, 200)).trim() === oneLine(text.slice(0, 200)).trim()).length;
  for (const { name, payload } of ARMED) {
    const count = await stored.value<number>("select count(*) from whys where question = ?", storedText(oneLine(payload).trim()));
    expect(count, `why question: ${name}`).toBe(3 * sameLine(payload));
    expect(await stored.value<number>("select count(*) from timeline_entries where body_md = ?", storedText(payload.trim())), `timeline: ${name}`).toBe(1);
    expect(await stored.value<number>("select count(*) from incidents where title = ?", storedText(oneLine(payload.slice(0, 200)).trim())), `title: ${name}`).toBe(sameTitle(payload));
  }
}

/** Every piece of stored HTML: `*_html` columns, `html` columns, and `*Html` values inside stored JSON. */
async function storedHtml(stored: Stored): Promise<[string, string][]> {
  const found: [string, string][] = [];
  for (const { table, column } of await stored.textColumns()) {
    for (const { value } of await stored.all<{ value: string }>(`select cast("${column}" as text) as value from "${table}" where "${column}" is not null`)) {
      if (/(^|_)html$/i.test(column)) found.push([`${table}.${column}`, value]);
      else if (value.startsWith("{") || value.startsWith("[")) {
        try {
          collectHtml(JSON.parse(value), `${table}.${column}`, found);
        } catch {
          // Not JSON.
        }
      }
    }
  }
  return found.filter(([, html]) => html !== "");
}

function collectHtml(value: unknown, where: string, found: [string, string][]) {
  if (Array.isArray(value)) for (const item of value) collectHtml(item, where, found);
  else if (value && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      if (typeof inner === "string" && /html$/i.test(key)) found.push([`${where} ${key}`, inner]);
      else collectHtml(inner, where, found);
    }
  }
}
