// The page cache (app/lib/page-cache.server.ts) through every layer: a production server of two
// processes, each keeping the pages it rendered. Every kind of write, made as a browser without
// JavaScript makes it (and one made beside the server, straight into the database), shows on the
// very next read of each page that shows it, from both processes; a page kept for one person is
// never served to another; a browser that has a page gets 304 until it changes.
import { expect, test } from "@playwright/test";
import { addMember, dataDirPerTest, databaseOf, firstAdmin, OWN_BASE, post, reportForm, startServer } from "./own-server";

const dataDir = dataDirPerTest();

/** The page as fetched, with its nonce (new for each answer) taken out, to compare answers. */
type Read = { status: number; text: string; etag: string | null };

async function fetchPage(path: string, cookie: string, headers: Record<string, string> = {}): Promise<Read> {
  const response = await fetch(OWN_BASE + path, { headers: { Cookie: cookie, ...headers }, redirect: "manual" });
  return { status: response.status, text: (await response.text()).replace(/nonce="[^"]+"/g, 'nonce=""'), etag: response.headers.get("etag") };
}

test("every kind of write shows on the next read from every process, and a kept page reaches no one else", async () => {
  test.setTimeout(240_000);
  const log: string[] = [];
  await startServer(dataDir(), { log, env: { WEB_CONCURRENCY: "2" } });
  const stored = await (await databaseOf(dataDir())).open();
  const hits = (path: string) => log.filter((line) => line.includes(`"path":"${path}"`) && line.includes('"cache":"hit"')).length;

  /**
   * Reads a page six times: the two processes take turns, so each renders it once at most and then
   * serves it kept. All six answers are the same page.
   */
  async function read(path: string, cookie: string): Promise<Read> {
    const answers: Read[] = [];
    for (let i = 0; i < 6; i++) answers.push(await fetchPage(path, cookie));
    for (const answer of answers.slice(1)) expect({ status: answer.status, text: answer.text }).toEqual({ status: answers[0].status, text: answers[0].text });
    return answers[0];
  }

  /**
   * Reads each page until both processes have served it kept (their log says so): a read that
   * falls on a new minute renders it again, so it may take more than one round.
   */
  async function warm(paths: string[], cookie: string) {
    for (const path of paths) {
      const before = hits(path.split("?")[0]);
      for (let round = 0; round < 5 && hits(path.split("?")[0]) < before + 2; round++) expect((await read(path, cookie)).status).toBe(200);
      await expect.poll(() => hits(path.split("?")[0]), { message: `${path} served kept` }).toBeGreaterThanOrEqual(before + 2);
    }
  }

  const done = async (answer: Promise<Response>, what: string) => {
    const response = await answer;
    expect(response.status, `${what}: ${response.status === 302 ? "" : (await response.text()).replace(/<script[\s\S]*/, "").replace(/^[\s\S]*?<main/, "").replace(/<[^>]+>/g, " ").replace(/\s+/g, " ").slice(0, 1500)}`).toBe(302);
    return response;
  };

  const admin = await firstAdmin();
  const member = await addMember(admin, "Morgan Member", "morgan@example.com");
  const memberId = await stored.value<number>("select id from users where email = 'morgan@example.com'");
  const incidentVersion = async () => String(await stored.value<number>("select version from incidents where id = 1"));
  const page = "/incidents/INC-1";
  const form = "/incidents/INC-1?index";

  // Each write, the pages that show it, and what they show after it.
  type Write = { name: string; pages: string[]; write: () => Promise<unknown>; shows: (text: string, path: string) => boolean };
  const writes: Write[] = [
    {
      name: "an incident reported",
      pages: ["/incidents"],
      write: () => done(post("/incidents/new", { ...reportForm("Disk filled on the primary"), summaryMd: "The primary's disk filled.", resolvedAt: "2026-11-20T11:00" }, admin), "report"),
      shows: (text) => text.includes("Disk filled on the primary"),
    },
    {
      name: "the incident moved to analysis",
      pages: [page, "/incidents"],
      write: () => done(post(form, { intent: "move", to: "analysis" }, admin), "move"),
      shows: (text) => /Analysis/.test(text),
    },
    {
      name: "a why added",
      pages: [page],
      write: () => done(post(form, { intent: "add-why", parentId: "", question: "Why did the disk fill?", answer: "Logs were never rotated.", noRemediationReason: "Nothing to change." }, admin), "add why"),
      shows: (text) => text.includes("Why did the disk fill?") && text.includes("Logs were never rotated."),
    },
    {
      name: "a why changed",
      pages: [page],
      write: async () => {
        // The question goes as a value: its question mark would be taken for a placeholder.
        const whyId = await stored.value<number>("select id from whys where question = ?", "Why did the disk fill?");
        return done(post(form, { intent: "update-why", whyId: String(whyId), version: "1", question: "Why did the disk fill?", answer: "Rotation was turned off by a config change.", noRemediationReason: "Nothing to change." }, admin), "update why");
      },
      shows: (text) => text.includes("Rotation was turned off by a config change.") && !text.includes("Logs were never rotated."),
    },
    {
      name: "a follow-up action added",
      pages: [page, "/incidents", "/actions", "/actions/all"],
      write: () => done(post(form, { intent: "add-action", title: "Alert on disk usage above 80%", descriptionMd: "", ownerId: "1", dueDate: "", priority: "P2", trackerUrl: "", whyId: "" }, admin), "add action"),
      // The list shows how many of an incident's actions are done.
      shows: (text, path) => (path === "/incidents" ? text.includes("0 of 1 done") : text.includes("Alert on disk usage above 80%")),
    },
    {
      name: "the action done",
      pages: [page, "/incidents", "/actions"],
      write: () => done(post("/actions/1", { intent: "status", to: "done" }, admin), "action done"),
      shows: (text, path) => (path === "/incidents" ? text.includes("1 of 1 done") : path === "/actions" ? text.includes("Nothing to do.") : /\bDone\b/.test(text)),
    },
    {
      name: "a timeline entry added",
      pages: [page],
      write: () => done(post(form, { intent: "add-entry", at: "2026-11-20T10:07", bodyMd: "Paged the storage on-call." }, admin), "timeline"),
      shows: (text) => text.includes("Paged the storage on-call."),
    },
    {
      name: "a second why added",
      pages: [page],
      write: () => done(post(form, { intent: "add-why", parentId: "", question: "Why was nobody paged?", answer: "The alert went to an old channel.", noRemediationReason: "Nothing to change." }, admin), "add why"),
      shows: (text) => text.includes("Why was nobody paged?"),
    },
    {
      name: "a why deleted",
      pages: [page],
      write: async () => {
        const whyId = await stored.value<number>("select id from whys where question = ?", "Why was nobody paged?");
        return done(post(form, { intent: "delete-why", whyId: String(whyId), confirm: "yes" }, admin), "delete why");
      },
      shows: (text) => !text.includes("Why was nobody paged?"),
    },
    {
      name: "a live session started",
      pages: [page],
      write: () => done(post("/incidents/INC-1/session", { intent: "start-session" }, admin), "start session"),
      shows: (text) => text.includes("Session in progress"),
    },
    {
      name: "the live session ended",
      pages: [page],
      write: () => done(post("/incidents/INC-1/session", { intent: "end-session" }, admin), "end session"),
      shows: (text) => !text.includes("Session in progress") && text.includes("Start a live session"),
    },
    {
      name: "the incident's details changed",
      pages: [page, "/incidents"],
      write: async () =>
        done(
          post("/incidents/INC-1/edit", { intent: "fields", ...reportForm("Primary disk filled overnight"), summaryMd: "The primary's disk filled.", resolvedAt: "2026-11-20T11:00", version: await incidentVersion() }, admin),
          "details",
        ),
      shows: (text) => text.includes("Primary disk filled overnight") && !text.includes("Disk filled on the primary"),
    },
    {
      name: "the facilitator renamed on their profile",
      pages: [page],
      write: () => done(post("/account", { intent: "details", name: "Casey Renamed", team: "SRE" }, admin), "rename"),
      shows: (text) => /Facilitated by (<!-- -->)?Casey Renamed/.test(text),
    },
    {
      name: "the incident published",
      pages: [page, "/learnings"],
      write: async () => {
        await done(post(form, { intent: "move", to: "review" }, admin), "review");
        return done(post(form, { intent: "move", to: "published" }, admin), "publish");
      },
      shows: (text) => text.includes("Primary disk filled overnight") && /Published/.test(text),
    },
    {
      name: "a change made beside the server, straight into the database",
      pages: [page, "/incidents"],
      write: () => stored.run("update incidents set title = 'Retitled by hand' where id = 1"),
      shows: (text) => text.includes("Retitled by hand"),
    },
  ];

  for (const { name, pages, write, shows } of writes) {
    await test.step(name, async () => {
      await warm(pages, admin);
      const before = await Promise.all(pages.map((path) => read(path, admin)));
      await write();
      for (const [i, path] of pages.entries()) {
        const after = await read(path, admin);
        expect(after.status, `${path} after ${name}`).toBe(200);
        expect(after.text, `${path} after ${name}`).not.toBe(before[i].text);
        expect(shows(after.text, path), `${path} shows ${name}`).toBe(true);
      }
    });
  }

  await test.step("a page kept for one person is never served to another", async () => {
    await warm([page], admin);
    const adminsPage = await read(page, admin);
    expect(adminsPage.text).toContain("Casey Renamed");
    const membersPage = await read(page, member);
    expect(membersPage.status).toBe(200);
    // The header says who is signed in: each gets their own.
    expect(membersPage.text).toContain("Morgan Member");
    expect(membersPage.text).not.toBe(adminsPage.text);
  });

  await test.step("a person who may no longer see a page they had kept gets 404 from every process", async () => {
    await warm([page, "/incidents"], member);
    await done(post("/incidents/INC-1/edit", { intent: "fields", ...reportForm("Retitled by hand"), visibility: "restricted", summaryMd: "The primary's disk filled.", resolvedAt: "2026-11-20T11:00", version: await incidentVersion() }, admin), "restrict");
    expect((await read(page, member)).status).toBe(404);
    expect((await read("/incidents", member)).text).not.toContain("Retitled by hand");
    // Made a participant, they see it again.
    await done(post("/incidents/INC-1/edit", { intent: "people", facilitatorId: "1", participantIds: String(memberId) }, admin), "participant");
    expect((await read(page, member)).status).toBe(200);
  });

  await test.step("a page whose routes do not all say so is never kept, nor the data of a navigation in the browser", async () => {
    for (const path of ["/incidents/INC-1/history", "/incidents/INC-1.data", "/account"]) {
      for (let i = 0; i < 4; i++) expect((await fetchPage(path, admin)).status, path).toBe(200);
    }
    // Their log lines are written as each answer finishes (the profile was posted to before).
    await expect.poll(() => log.filter((line) => line.includes('"method":"GET","path":"/account"')).length).toBe(4);
    const answered = log.filter((line) => /"method":"GET","path":"\/(incidents\/INC-1\/history|incidents\/INC-1\.data|account)"/.test(line));
    expect(answered.length).toBeGreaterThanOrEqual(12);
    for (const line of answered) expect(line).not.toContain('"cache"');
  });

  await test.step("a browser that has the page gets 304 until it changes, and never another person's", async () => {
    const { etag } = await fetchPage(page, admin);
    expect(etag).toBeTruthy();
    const again = await fetchPage(page, admin, { "If-None-Match": etag! });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    // Another person's browser sending it gets their own page.
    expect((await fetchPage(page, member, { "If-None-Match": etag! })).status).toBe(200);
    await done(post(form, { intent: "add-entry", at: "2026-11-20T10:09", bodyMd: "Freed space by hand." }, admin), "timeline");
    const changed = await fetchPage(page, admin, { "If-None-Match": etag! });
    expect(changed.status).toBe(200);
    expect(changed.text).toContain("Freed space by hand.");
  });

  await stored.close();
});
