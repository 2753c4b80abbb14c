// A live session driven by a script with a token while a person takes part on the session page:
// each sees the other's steps, and the script learns of a person's draft only how many there are
// until the reveal, as everyone else on the page does.
import { expect, test } from "@playwright/test";
import { client, makeToken } from "./api-client";
import { addMember, pageFor, unique } from "./helpers";

// Long ago: the other specs look for their own incidents on the first page of the list, newest first.
const startedAt = "2019-06-04T09:00:00.000Z";

const SESSION = "/incidents/{ref}/session";
const ROUND = `${SESSION}/rounds/{roundId}`;

test("a script runs the meeting with a token; a person on the session page writes, votes and sees what the script did", async ({ page, browser }) => {
  const member = await addMember(page);
  const api = client(await makeToken(page, unique("meeting bot"), "Read and change"));
  const me = (await api("GET", "/me")).body;
  const word = unique("queue").replace(/-/g, "");
  const reported = await api("POST", "/incidents", {}, { body: { title: `The ${word} stalled`, severity: "SEV3", startedAt, visibility: "org", facilitatorId: me.id } });
  const ref = reported.body.reference as string;
  expect((await api("POST", "/incidents/{ref}/transitions", { ref }, { body: { to: "analysis" } })).status).toBe(200);
  const started = await api("POST", SESSION, { ref }, { body: {} });
  expect(started.status).toBe(201);
  expect(started.body.session).toMatchObject({ anonymous: true, facilitator: { id: me.id } });
  const roundId = (await api("POST", `${SESSION}/rounds`, { ref }, { body: { kind: "why", whyId: null, question: `Why did the ${word} stall?` } })).body.id as number;

  // The person opens the session page; the script finds them among the members and makes them a participant.
  const person = await pageFor(browser, member);
  await person.goto(`/incidents/${ref}/session`);
  await expect(person.getByRole("heading", { name: `Why did the ${word} stall?` })).toBeVisible();
  let memberId = 0;
  await expect
    .poll(async () => {
      const members = (await api("GET", SESSION, { ref })).body.session.members as { id: number; name: string; contributes: boolean }[];
      memberId = members.find((m) => m.name === member.name)?.id ?? 0;
      return memberId;
    })
    .toBeGreaterThan(0);
  expect((await api("POST", `${SESSION}/participants`, { ref }, { body: { userId: memberId } })).status).toBe(204);

  // They write privately in the browser; the script, like everyone, learns only that there is a draft.
  const form = person.locator("form.draft--new");
  await form.getByRole("textbox").fill("The consumer stopped acknowledging messages");
  await form.getByRole("button", { name: "Add my candidate" }).click();
  await expect(person.getByRole("list", { name: "Your drafts" }).getByRole("textbox")).toHaveValue("The consumer stopped acknowledging messages");
  const counted = await api("GET", SESSION, { ref });
  expect(counted.body.session.round).toMatchObject({ drafts: 1, yourDrafts: [], groups: [] });
  expect(JSON.stringify(counted.body)).not.toContain("acknowledging");

  // The script's own draft, read back with its token; polling with the ETag answers 304 while nothing moves.
  const mine = await api("POST", `${ROUND}/drafts`, { ref, roundId }, { body: { body: "Nothing alerted on queue depth" } });
  expect(mine.status).toBe(201);
  const withDraft = await api("GET", SESSION, { ref }, { headers: { "Draft-Tokens": mine.body.token } });
  expect(withDraft.body.session.round.yourDrafts).toEqual([expect.objectContaining({ body: "Nothing alerted on queue depth", candidateId: mine.body.candidateId })]);
  expect((await api("GET", SESSION, { ref }, { headers: { "Draft-Tokens": mine.body.token, "If-None-Match": withDraft.headers.etag } })).status).toBe(304);
  await expect(person.getByText("2 candidate answers written.")).toBeVisible();
  await expect(person.getByText("Nothing alerted on queue depth")).toHaveCount(0);

  // The script reveals: the page shows both, and no author (the session is anonymous).
  expect((await api("POST", `${ROUND}/transitions`, { ref, roundId }, { body: { to: "revealed" } })).status).toBe(204);
  const candidates = person.getByRole("list", { name: "Candidates" });
  await expect(candidates.getByRole("listitem")).toHaveCount(2);
  await expect(candidates).not.toContainText(member.name);

  // The person votes on the page; the script reads the vote and accepts that candidate into the tree.
  await person.getByRole("button", { name: "Vote: Nothing alerted on queue depth" }).click();
  await expect(person.getByRole("button", { name: "Take back my vote: Nothing alerted on queue depth" })).toBeVisible();
  const groups = (await api("GET", SESSION, { ref })).body.session.round.groups as { body: string; votes: number; yourVote: boolean; candidates: { authorName: string | null }[] }[];
  expect(groups[0]).toMatchObject({ body: "Nothing alerted on queue depth", votes: 1, yourVote: false });
  expect(groups.flatMap((g) => g.candidates.map((c) => c.authorName))).toEqual([null, null]);
  expect((await api("POST", `${ROUND}/acceptances`, { ref, roundId }, { body: { candidateIds: [mine.body.candidateId] } })).status).toBe(200);
  await expect(person.locator(".session-tree__a")).toHaveText(["Nothing alerted on queue depth"]);

  // The script ends the meeting; the page says so.
  expect((await api("DELETE", SESSION, { ref })).status).toBe(204);
  await expect(person.getByText("No session is in progress.")).toBeVisible();
  await person.context().close();
});
