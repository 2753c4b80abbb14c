// Twenty people editing one incident at the same moment, over HTTP: whys, timeline entries and
// actions. Nothing fails, nothing is lost, and of twenty edits of the same why from the same
// version exactly one is applied; the others are refused as a conflict the person can see.
import { expect, test } from "@playwright/test";
import { addMember, incidentInAnalysis, OWN_BASE, post, withOwnStore } from "./own-server";

const PEOPLE = 20;

test("twenty people edit the same incident at once: no error, no lost update", async () => {
  test.setTimeout(120_000);
  await withOwnStore({}, async (stored) => {
    const admin = await incidentInAnalysis("Checkout queue backed up");
    const people: { id: number; cookie: string }[] = [];
    for (let i = 0; i < PEOPLE; i++) people.push({ id: i + 2, cookie: await addMember(admin, `Person ${i}`, `person${i}@example.com`) });
    const team = new URLSearchParams({ intent: "people", facilitatorId: "1" });
    for (const p of people) team.append("participantIds", String(p.id));
    expect((await post("/incidents/INC-1/edit", team, admin)).status).toBe(302);
    const first = await post("/incidents/INC-1?index", { intent: "add-why", question: "Why did the queue back up?", answer: "The consumers were too few." }, admin);
    const sharedWhy = /#why-(\d+)$/.exec(first.headers.get("location") ?? "")?.[1];
    expect(sharedWhy).toBeTruthy();

    // Everyone at once: each edits the shared why from version 1, adds a why under it, a
    // timeline entry and an action.
    const results = await Promise.all(
      people.map(async (p, i) => {
        const [edit, why, entry, action] = await Promise.all([
          post("/incidents/INC-1?index", { intent: "update-why", whyId: sharedWhy!, version: "1", question: "Why did the queue back up?", answer: `Answer of person ${i}.` }, p.cookie),
          post("/incidents/INC-1?index", { intent: "add-why", parentId: sharedWhy!, question: `Why, asks person ${i}?`, answer: `Because ${i}.` }, p.cookie),
          post("/incidents/INC-1?index", { intent: "add-entry", at: `2026-11-20T10:${String(i).padStart(2, "0")}`, bodyMd: `Entry of person ${i}.` }, p.cookie),
          post("/incidents/INC-1/actions/new", { title: `Action of person ${i}`, ownerId: String(p.id), priority: "P2", dueDate: "", descriptionMd: "", trackerUrl: "" }, p.cookie),
        ]);
        return { i, edit: { status: edit.status, body: await edit.text() }, statuses: [why.status, entry.status, action.status] };
      }),
    );

    for (const r of results) expect(r.statuses, `person ${r.i}`).toEqual([302, 302, 302]);
    const applied = results.filter((r) => r.edit.status === 302);
    const refused = results.filter((r) => r.edit.status !== 302);
    expect(applied).toHaveLength(1);
    for (const r of refused) {
      expect(r.edit.status).toBe(409);
      // The person sees why, and what is stored now, next to what they typed.
      expect(r.edit.body).toContain("Someone else saved this while you were editing");
      expect(r.edit.body).toContain(`Answer of person ${applied[0].i}.`);
      expect(r.edit.body).toContain(`Answer of person ${r.i}.`);
    }

    // The stored state: every addition once, the shared why at version 2 with the applied answer.
    const shared = await stored.get<{ answer: string; version: number }>("select answer, version from whys where id = ?", Number(sharedWhy));
    expect(shared).toEqual({ answer: `Answer of person ${applied[0].i}.`, version: 2 });
    const count = (sql: string) => stored.value<number>(sql);
    expect(await count("select count(*) from whys where parent_id is not null")).toBe(PEOPLE);
    expect(await count("select count(distinct question) from whys where parent_id is not null")).toBe(PEOPLE);
    expect(await count("select count(*) from timeline_entries")).toBe(PEOPLE);
    expect(await count("select count(*) from actions")).toBe(PEOPLE);
    expect(await stored.intact()).toBe(true);
  });
});

test("a form sent while another process holds every write back comes back with what was typed, to send again", async () => {
  test.setTimeout(120_000);
  await withOwnStore({}, async (stored) => {
    const admin = await incidentInAnalysis("Checkout queue backed up");
    const why = { intent: "add-why", question: "Why did the queue back up?", answer: "The consumers were too few for the Monday peak." };
    const before = await stored.fingerprint();

    // The server waits for the lock as long as it may (SQLite 5 s, PostgreSQL 15 s), then gives up.
    // Beside the form, a sign-out sent as the browser's scripts send it (single fetch, /signout.data),
    // whose action lets the busy database fail it: the data answer is 503 too, not an error.
    const release = await stored.holdWrites();
    let refused: Response;
    let navigation: Response;
    try {
      [refused, navigation] = await Promise.all([post("/incidents/INC-1?index", why, admin), post("/signout.data", {}, admin)]);
    } finally {
      await release();
    }
    expect(navigation.status).toBe(503);
    expect(navigation.headers.get("retry-after")).toBe("5");
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("5");
    const page = await refused.text();
    expect(page).toContain("The database is busy with other changes, and nothing was saved. Send this again in a few seconds.");
    expect(page).toContain(why.question);
    expect(page).toContain(why.answer);
    expect(await stored.fingerprint(), "nothing was written").toBe(before);
    expect((await fetch(`${OWN_BASE}/incidents`, { headers: { Cookie: admin }, redirect: "manual" })).status, "still signed in").toBe(200);

    // Sent again once the lock is gone, it is saved once.
    expect((await post("/incidents/INC-1?index", why, admin)).status).toBe(302);
    expect(await stored.value<number>("select count(*) from whys where question = ?", why.question)).toBe(1);
  });
});
