// Outgoing webhooks: signatures (checked with the standardwebhooks package, as receivers check
// them), the retry schedule and Retry-After, the address classifier that keeps webhooks out of
// private networks, Slack's escaping and lengths, which changes become which events and who they
// are never about (restricted incidents), and delivery through the outbox to a real HTTP receiver
// on loopback: retries with the same webhook-id, 410, replays, rotation, ordering, claims.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { actionFields, addWhyTree, advanceTo, createIncident, createUser, keepFlaggedWording, RIES_CHAIN } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { forbiddenAddress, parseIPv6 } from "~/lib/addresses";
import { checkedAddress, postWebhook, useResolver, AddressRefused } from "~/lib/webhook-http.server";
import { newWebhookSecret, signatureHeader, signWebhook } from "~/lib/webhook-signature.server";
import { changeActionStatus, createAction, updateAction } from "~/models/action.server";
import { sendDigest } from "~/models/digest.server";
import { Invalid, LimitReached, StateConflict } from "~/models/errors";
import { moveIncident, updateIncident, fieldValues, getIncident } from "~/models/incident.server";
import { webhookEndpointInput } from "~/models/inputs";
import { deliverPending, listOutbox, replayMessage } from "~/models/outbox.server";
import { runReminders } from "~/models/reminder.server";
import { chainLines, deepestChain, escapeSlack, slackMessage, slackText, SLACK_LIMITS } from "~/models/slack";
import { parseRetryAfter, RETRY_AFTER_CAP, RETRY_SCHEDULE, retryDelay, WEBHOOK_EVENT_TYPES, WEBHOOK_LIMITS, type WebhookEventType } from "~/models/webhook";
import { eventTypeOf } from "~/models/webhook-events.server";
import {
  createEndpoint,
  deleteEndpoint,
  endpointSecrets,
  getEndpoint,
  rotateSecret,
  sendTestEvent,
  setEndpointEnabled,
  setWebhooksAllowPrivate,
  updateEndpoint,
} from "~/models/webhook.server";
import type { User } from "~/models/user.server";
import { caught, freshDatabase } from "./helpers";
import { startReceiver, verified, type Receiver } from "./webhook-receiver";

const APP = "https://hindsight.example.com";

beforeAll(() => {
  process.env.APP_URL = APP;
});

// --- Signatures -----------------------------------------------------------------------------------

describe("signatures", () => {
  it("makes secrets as the specification asks: whsec_ and base64 of 32 random bytes", () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("signs id.timestamp.body so that the standardwebhooks package verifies it", () => {
    const secret = newWebhookSecret();
    const body = JSON.stringify({ type: "incident.reported", timestamp: new Date().toISOString(), data: { reference: "INC-7", note: "ünïcode ✓" } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { "webhook-id": "msg_abc", "webhook-timestamp": String(timestamp), "webhook-signature": signWebhook(secret, "msg_abc", timestamp, body) };
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(body, headers)).toMatchObject({ type: "incident.reported" });
    // Any change to the id, the timestamp or the body breaks it.
    expect(() => new Webhook(secret).verify(body.replace("INC-7", "INC-8"), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-id": "msg_abd" })).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, "webhook-timestamp": String(timestamp + 1) })).toThrow();
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });

  it("sends one signature per valid secret, space-separated, each verifying with its own secret", () => {
    const [current, previous] = [newWebhookSecret(), newWebhookSecret()];
    const body = '{"type":"why.added"}';
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signatureHeader([current, previous], "msg_1", timestamp, body);
    expect(signature.split(" ")).toHaveLength(2);
    const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(timestamp), "webhook-signature": signature };
    for (const secret of [current, previous]) expect(new Webhook(secret).verify(body, headers)).toEqual({ type: "why.added" });
    expect(() => new Webhook(newWebhookSecret()).verify(body, headers)).toThrow();
  });
});

// --- Backoff and Retry-After ----------------------------------------------------------------------

describe("the retry schedule", () => {
  it("waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, about a day, then gives up", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelay(n, null))).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
    expect(retryDelay(8, null)).toBeNull();
    const total = RETRY_SCHEDULE.reduce((a, b) => a + b, 0);
    expect(total / 3600).toBeGreaterThan(20);
    expect(total / 3600).toBeLessThan(30);
  });

  it("takes a receiver's Retry-After when it asks for later, never sooner, and never past the cap", () => {
    expect(retryDelay(1, 120)).toBe(120);
    expect(retryDelay(3, 10)).toBe(1800);
    expect(retryDelay(1, 10 * 86_400)).toBe(RETRY_AFTER_CAP);
    expect(retryDelay(8, 5)).toBeNull();
  });

  it("follows a schedule given to it (WEBHOOK_RETRY_SCHEDULE)", () => {
    expect([1, 2, 3].map((n) => retryDelay(n, null, [1, 2]))).toEqual([1, 2, null]);
  });

  it("reads Retry-After as seconds or an HTTP date, and ignores anything else", () => {
    const now = new Date("2026-10-21T07:28:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:30:30 GMT", now)).toBe(150);
    expect(parseRetryAfter("Wed, 21 Oct 2026 07:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("99999999", now)).toBe(RETRY_AFTER_CAP);
    expect(parseRetryAfter("Sat, 21 Oct 2028 07:28:00 GMT", now)).toBe(RETRY_AFTER_CAP);
    for (const junk of [null, undefined, "", "soon", "-5", "1.5", "2026-10-21T07:30:00Z", "Wed, 21 Oct 2026 07:30:30 PST"]) expect(parseRetryAfter(junk, now)).toBeNull();
  });
});

// --- Addresses ------------------------------------------------------------------------------------

describe("the address classifier", () => {
  it("refuses IPv6 prefixes that reach IPv4 addresses the network chooses: NAT64 for local use, Teredo", () => {
    expect(forbiddenAddress("64:ff9b:1::7f00:1")).toMatch(/NAT64/);
    expect(forbiddenAddress("2001::8000:7fff:fffe")).toMatch(/Teredo/);
    expect(forbiddenAddress("2001:4860:4860::8888")).toBeUndefined();
  });

  it("refuses IPv4 loopback, private, link-local, shared, this-network, multicast and reserved ranges", () => {
    for (const address of ["127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1", "100.127.255.255", "0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "198.18.0.1", "192.0.2.10"]) {
      expect(forbiddenAddress(address), address).toBeDefined();
    }
    expect(forbiddenAddress("169.254.169.254")).toMatch(/link-local/);
    expect(forbiddenAddress("100.64.0.1")).toMatch(/carrier-grade NAT/);
    expect(forbiddenAddress("10.1.2.3")).toMatch(/private/);
  });

  it("lets public IPv4 addresses through, including the neighbours of the refused ranges", () => {
    for (const address of ["93.184.216.34", "8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "169.253.255.255", "11.0.0.0", "192.167.255.255", "223.255.255.255"]) {
      expect(forbiddenAddress(address), address).toBeUndefined();
    }
  });

  it("reads IPv6 in every spelling, and refuses loopback, unspecified, link-local, unique local and multicast", () => {
    expect(parseIPv6("::1")).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("[2001:db8::1]")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("fe80::1%eth0")).toEqual([0xfe80, 0, 0, 0, 0, 0, 0, 1]);
    expect(parseIPv6("1:2:3:4:5:6:7:8:9")).toBeUndefined();
    expect(parseIPv6("1::2::3")).toBeUndefined();
    expect(parseIPv6("12345::")).toBeUndefined();
    for (const address of ["::1", "::", "0:0:0:0:0:0:0:1", "fe80::1", "febf::1", "fc00::1", "fd12:3456:789a::1", "ff02::1", "fec0::1"]) expect(forbiddenAddress(address), address).toBeDefined();
    for (const address of ["2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "fe7f::1", "fbff::1"]) expect(forbiddenAddress(address), address).toBeUndefined();
  });

  it("judges an IPv4 address written as IPv6 (mapped, translated, compatible, NAT64, 6to4) by the IPv4 address", () => {
    for (const address of ["::ffff:127.0.0.1", "::ffff:7f00:1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0:192.168.0.1", "::10.0.0.1", "64:ff9b::10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:a00:1::1", "2002:7f00:1::"]) {
      expect(forbiddenAddress(address), address).toBeDefined();
    }
    for (const address of ["::ffff:93.184.216.34", "64:ff9b::8.8.8.8", "2002:5db8:d822::1"]) expect(forbiddenAddress(address), address).toBeUndefined();
  });

  it("refuses what is not an address at all", () => {
    expect(forbiddenAddress("localhost")).toBeDefined();
    expect(forbiddenAddress("256.1.1.1")).toBeDefined();
  });
});

describe("resolve, then connect to what was checked", () => {
  afterEach(() => useResolver(undefined));

  it("refuses a name with any address that is not public, whichever a connection would pick", async () => {
    useResolver(async () => [
      { address: "93.184.216.34", family: 4 },
      { address: "10.0.0.5", family: 4 },
    ]);
    const refused = await caught(() => checkedAddress("rebind.example.test", false));
    expect(refused).toBeInstanceOf(AddressRefused);
    expect((refused as Error).message).toContain("rebind.example.test (10.0.0.5) is a private network address");
    expect(await checkedAddress("rebind.example.test", true)).toEqual({ address: "93.184.216.34", family: 4 });
    await expect(checkedAddress("[::ffff:127.0.0.1]", false)).rejects.toThrow(/loopback/);
    expect(await checkedAddress("93.184.216.34", false)).toEqual({ address: "93.184.216.34", family: 4 });
  });

  it("connects to the address it checked, asking for the host by name", async () => {
    const receiver = await startReceiver();
    try {
      let lookups = 0;
      // The first answer is what is checked and connected to; a second, different one is never asked for.
      useResolver(async () => (lookups++ === 0 ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "10.9.9.9", family: 4 }]));
      const answer = await postWebhook(new URL(`http://hooks.example.test:${receiver.port}/in`), "{}", { "content-type": "application/json" }, { allowPrivate: true, timeoutMs: 5000 });
      expect(answer.status).toBe(200);
      expect(lookups).toBe(1);
      expect(receiver.received[0].headers.host).toBe(`hooks.example.test:${receiver.port}`);
      expect(receiver.received[0].path).toBe("/in");
      await expect(postWebhook(new URL(`http://hooks.example.test:${receiver.port}/in`), "{}", {}, { allowPrivate: false, timeoutMs: 5000 })).rejects.toThrow(AddressRefused);
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const receiver = await startReceiver();
    try {
      receiver.answer(() => new Promise(() => undefined));
      await expect(postWebhook(new URL(receiver.url), "{}", {}, { allowPrivate: true, timeoutMs: 300 })).rejects.toThrow("No answer within 0.3 seconds.");
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  it("follows no redirect, and reads only the start of a long answer", async () => {
    const receiver = await startReceiver();
    try {
      receiver.answer((_, n) => (n === 0 ? { status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } } : { status: 500, body: "x".repeat(1_000_000) }));
      const redirected = await postWebhook(new URL(receiver.url), "{}", {}, { allowPrivate: true, timeoutMs: 5000 });
      expect(redirected).toMatchObject({ status: 302, location: "http://127.0.0.1:1/elsewhere" });
      const long = await postWebhook(new URL(receiver.url), "{}", {}, { allowPrivate: true, timeoutMs: 5000 });
      expect(long.status).toBe(500);
      expect(long.body.length).toBeLessThanOrEqual(4096);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });
});

// --- Slack ----------------------------------------------------------------------------------------

describe("Slack messages", () => {
  it("escapes &, < and > so no text becomes a link, a mention or a control", () => {
    expect(escapeSlack("<!channel> & <@U123|boss> > x")).toBe("&lt;!channel&gt; &amp; &lt;@U123|boss&gt; &gt; x");
    expect(slackText("Fish & chips", 100)).toBe("Fish &amp; chips");
  });

  it("cuts text to a length once escaped, never through an entity or an emoji", () => {
    const cut = slackText("a&b", 4);
    expect(cut).toBe("a…");
    expect(slackText("ab&c", 7)).toBe("ab…");
    expect(slackText("ab&cd", 8)).toBe("ab&amp;…");
    expect(slackText("x".repeat(200), 150)).toHaveLength(150);
    const emoji = slackText("🔥".repeat(100), 11);
    expect(emoji.endsWith("…")).toBe(true);
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    for (let max = 2; max < 30; max++) {
      const text = slackText("<&>".repeat(20), max);
      expect(text.length).toBeLessThanOrEqual(max);
      expect(text.replace(/…$/, "")).toMatch(/^(&lt;|&amp;|&gt;)*$/);
    }
  });

  it("keeps Block Kit's limits: a header of 150 characters, sections of 3,000", () => {
    const message = slackMessage({ title: "T".repeat(400), sections: ["S".repeat(5000), "*ok*"], context: "c".repeat(5000), link: { url: "https://x.example/a", label: "L".repeat(200) }, fallback: "f".repeat(9000) });
    const blocks = message.blocks as { type: string; text?: { text: string }; elements?: { text: string | { text: string } }[] }[];
    expect(blocks[0]).toMatchObject({ type: "header", text: { type: "plain_text" } });
    expect(blocks[0].text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
    for (const block of blocks.filter((b) => b.type === "section")) expect(block.text!.text.length).toBeLessThanOrEqual(SLACK_LIMITS.section);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallback);
    const button = blocks.find((b) => b.type === "actions")!.elements![0] as unknown as { text: { text: string }; url: string };
    expect(button.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.button);
    expect(button.url).toBe("https://x.example/a");
  });

  it("shows the deepest path of the why tree, question → answer, first levels and last", () => {
    const rows = [
      { id: 1, parentId: null, position: 1, question: "Why down?", answer: "CPU at 100%" },
      { id: 2, parentId: 1, position: 1, question: "Why CPU?", answer: "A loop" },
      { id: 3, parentId: 1, position: 2, question: "Why slow?", answer: "Traffic" },
      { id: 4, parentId: 3, position: 1, question: "Why traffic?", answer: "A <sale>" },
      { id: 5, parentId: 4, position: 1, question: "Why no limit?", answer: "" },
    ];
    expect(deepestChain(rows).map((s) => s.question)).toEqual(["Why down?", "Why slow?", "Why traffic?", "Why no limit?"]);
    const lines = chainLines(deepestChain(rows));
    expect(lines[2]).toBe("3. Why traffic? → A &lt;sale&gt;");
    expect(lines[3]).toBe("4. Why no limit? → _not answered_");
    const deep = Array.from({ length: 9 }, (_, i) => ({ question: `Q${i + 1} ${"q".repeat(300)}`, answer: `A${i + 1}` }));
    const shown = chainLines(deep);
    expect(shown.map((l) => l.slice(0, 4))).toEqual(["1. Q", "2. Q", "3. Q", "_… 4", "8. Q", "9. Q"]);
    expect(shown[0].length).toBeLessThan(300);
  });
});

// --- Events ---------------------------------------------------------------------------------------

type Stored = typeof schema.outbox.$inferSelect;
const webhookRows = async (): Promise<Stored[]> => await db().select().from(schema.outbox).where(eq(schema.outbox.channel, "webhook")).orderBy(asc(schema.outbox.id)).all();
const eventOf = (row: Stored) => JSON.parse(row.text) as { type: string; timestamp: string; data: Record<string, unknown> };

let admin: User;

async function endpoint(overrides: Partial<{ url: string; format: "standard" | "slack"; eventTypes: WebhookEventType[]; description: string }> = {}) {
  return await createEndpoint(admin, webhookEndpointInput.parse({ url: "http://127.0.0.1:9/hooks", eventTypes: [...WEBHOOK_EVENT_TYPES], ...overrides }));
}

describe("which changes are events", () => {
  beforeEach(async () => {
    await freshDatabase();
    admin = await createUser({ name: "Ada Admin", role: "admin" });
    await setWebhooksAllowPrivate(admin, true);
  });

  it("maps the history's kinds to the events, and nothing else", () => {
    expect(["incident.reported", "incident.moved", "incident.published", "incident.closed", "incident.reopened", "why.added", "action.added", "action.updated", "action.status"].map(eventTypeOf)).toEqual([
      "incident.reported",
      "incident.moved",
      "incident.moved",
      "incident.moved",
      "incident.moved",
      "why.added",
      "action.created",
      "action.changed",
      "action.changed",
    ]);
    for (const kind of ["incident.updated", "incident.people", "why.updated", "why.deleted", "timeline.added", "session.started", "incident.republished", "toString", "constructor"]) expect(eventTypeOf(kind)).toBeUndefined();
  });

  it("writes nothing while no endpoint listens", async () => {
    const incident = await createIncident(admin);
    await moveIncident(admin, incident.id, "analysis");
    expect(await webhookRows()).toEqual([]);
  });

  it("writes one message per listening endpoint in the change's transaction, thin and linked", async () => {
    const { endpoint: all } = await endpoint();
    const { endpoint: slack } = await endpoint({ format: "slack", eventTypes: ["incident.reported"] });
    await endpoint({ eventTypes: ["why.added"] });
    const facilitator = await createUser({ name: "Fran" });
    const incident = await createIncident(facilitator, { title: "Checkout <down> & out", severity: "SEV1", services: ["checkout"] });
    const rows = await webhookRows();
    expect(rows.map((r) => [r.endpointId, r.kind, r.status])).toEqual([
      [all.id, "incident.reported", "pending"],
      [slack.id, "incident.reported", "pending"],
    ]);
    const ref = incident.reference;
    for (const row of rows) {
      expect(row.key).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
      expect(eventOf(row)).toEqual({
        type: "incident.reported",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: { incidentId: incident.id, reference: ref, status: "draft", severity: "SEV1", links: { api: `${APP}/api/v1/incidents/${ref}`, page: `${APP}/incidents/${ref}` } },
      });
    }
    expect(rows[0].key).not.toBe(rows[1].key);
    // The same event, one payload: only the Slack endpoint carries a Block Kit message.
    expect(rows[0].text).toBe(rows[1].text);
    expect(rows[0].html).toBe("");
    const blocks = JSON.parse(rows[1].html) as { text: string; blocks: { type: string; text?: { text: string }; elements?: { url?: string; text: string }[] }[] };
    expect(blocks.blocks[0].text!.text).toBe(`${ref}: Checkout &lt;down&gt; &amp; out`);
    expect(blocks.blocks.find((b) => b.type === "context")!.elements![0].text).toBe("SEV1 · Services: checkout · Status: Draft");
    expect(blocks.blocks.find((b) => b.type === "actions")!.elements![0].url).toBe(`${APP}/incidents/${ref}`);
  });

  it("a change that fails writes no event: it is in the same transaction", async () => {
    await endpoint();
    const incident = await createIncident(admin);
    const before = (await webhookRows()).length;
    await expect(moveIncident(admin, incident.id, "published")).rejects.toThrow();
    expect(await webhookRows()).toHaveLength(before);
  });

  it("tells every lifecycle move, from and to, with a published post-mortem's summary and chain in Slack", async () => {
    await endpoint({ eventTypes: ["incident.moved"] });
    await endpoint({ format: "slack", eventTypes: ["incident.moved"] });
    const facilitator = await createUser({ name: "Fran" });
    const incident = await createIncident(facilitator, { summaryMd: "A deploy shipped an **infinite loop**; see [the runbook](https://runbooks.example/cpu).", resolvedAt: "2026-10-06T15:00:00.000Z" });
    const whyIds = await addWhyTree(facilitator, incident.id, RIES_CHAIN);
    const actionId = (await createAction(facilitator, incident.id, whyIds[4], actionFields(facilitator.id, { title: "Add TDD to orientation" }))).id;
    for (const id of whyIds.slice(0, 4)) await db().update(schema.whys).set({ noActionReason: "Done during the response." }).where(eq(schema.whys.id, id)).run();
    await keepFlaggedWording(facilitator, incident.id, "Quoted from the example");
    await advanceTo(facilitator, incident.id, "published");
    await changeActionStatus(facilitator, actionId, "done");
    const moves = (await webhookRows()).filter((r) => r.html === "").map((r) => eventOf(r).data);
    expect(moves.map((d) => [d.from, d.to, d.status])).toEqual([
      ["draft", "analysis", "analysis"],
      ["analysis", "review", "review"],
      ["review", "published", "published"],
      ["published", "closed", "closed"],
    ]);
    const published = (await webhookRows()).filter((r) => r.html !== "")[2];
    expect(published.subject).toBe(`${incident.reference} moved from Review to Published`);
    const message = JSON.parse(published.html) as { blocks: { type: string; text?: { text: string } }[] };
    const sections = message.blocks.filter((b) => b.type === "section").map((b) => b.text!.text);
    expect(sections[0]).toContain("Post-mortem published");
    expect(sections[1]).toBe("A deploy shipped an *infinite loop*; see the runbook (https://runbooks.example/cpu).");
    expect(sections[2].split("\n")).toEqual([
      "*The chain of whys, in short*",
      "1. Why was the website down? → CPU utilisation on all front-end servers went to 100%.",
      "2. Why did CPU usage spike? → A new bit of code contained an infinite loop.",
      "3. Why did that code get written? → So-and-so made a mistake.",
      "4. Why did the mistake get checked in? → The feature had no unit test.",
      "5. Why was there no unit test? → New engineers are not trained in TDD during orientation.",
    ]);
  });

  it("tells whys added and actions created and changed (edits, reassignments, status), with their ids", async () => {
    await endpoint({ eventTypes: ["why.added", "action.created", "action.changed"] });
    const facilitator = await createUser({ name: "Fran" });
    const owner = await createUser({ name: "Olu" });
    const incident = await createIncident(facilitator);
    const [first, second] = await addWhyTree(facilitator, incident.id, [{ question: "Why down?", answer: "CPU", children: [{ question: "Why CPU?", answer: "A loop" }] }]);
    const action = await createAction(facilitator, incident.id, second, actionFields(owner.id, { title: "Remove the loop", dueDate: "2026-12-01", priority: "P1" }));
    await updateAction(facilitator, action.id, action.version, { ...actionFields(facilitator.id, { title: "Remove the loop", dueDate: "2026-12-08", priority: "P1" }) });
    await changeActionStatus(facilitator, action.id, "in_progress");
    const events = (await webhookRows()).map(eventOf);
    const ref = incident.reference;
    expect(events.map((e) => e.type)).toEqual(["why.added", "why.added", "action.created", "action.changed", "action.changed"]);
    expect(events[1].data).toEqual({ incidentId: incident.id, reference: ref, whyId: second, parentId: first, level: 2, links: { api: `${APP}/api/v1/incidents/${ref}/whys/${second}`, page: `${APP}/incidents/${ref}#why-${second}` } });
    expect(events[2].data).toEqual({ actionId: action.id, whyId: second, incidentId: incident.id, reference: ref, status: "open", priority: "P1", dueDate: "2026-12-01", links: { api: `${APP}/api/v1/actions/${action.id}`, page: `${APP}/actions/${action.id}` } });
    expect(events[3].data).toMatchObject({ actionId: action.id, changed: ["owner", "dueDate"], dueDate: "2026-12-08" });
    expect(events[4].data).toMatchObject({ actionId: action.id, changed: ["status"], status: "in_progress" });
  });

  it("says nothing about a restricted incident, and nothing more about one once it is restricted", async () => {
    await endpoint();
    const facilitator = await createUser({ name: "Fran" });
    const secret = await createIncident(facilitator, { title: "Payroll leak", visibility: "restricted" });
    await addWhyTree(facilitator, secret.id, [{ question: "Why?", answer: "Because" }]);
    await moveIncident(facilitator, secret.id, "analysis");
    await createAction(facilitator, secret.id, null, actionFields(facilitator.id));
    expect(await webhookRows()).toEqual([]);

    const open = await createIncident(facilitator, { title: "Search slow" });
    expect(await webhookRows()).toHaveLength(1);
    const current = await getIncident(facilitator, open.id);
    await updateIncident(facilitator, open.id, current.version, { ...fieldValuesToFields(fieldValues(current)), visibility: "restricted" });
    await moveIncident(facilitator, open.id, "analysis");
    const rows = await webhookRows();
    expect(rows).toHaveLength(1);
    expect(rows.map((r) => r.text).join()).not.toContain("Payroll");
  });

  it("does not send an event written before its incident was restricted", async () => {
    const receiver = await startReceiver();
    try {
      await endpoint({ url: receiver.url });
      const facilitator = await createUser({ name: "Fran" });
      const incident = await createIncident(facilitator);
      const current = await getIncident(facilitator, incident.id);
      await updateIncident(facilitator, incident.id, current.version, { ...fieldValuesToFields(fieldValues(current)), visibility: "restricted" });
      expect(await deliverPending()).toEqual({ sent: 0, failed: 1 });
      expect(receiver.received).toEqual([]);
      const [row] = await webhookRows();
      expect(row).toMatchObject({ status: "failed", lastError: `Not sent: ${incident.reference} is restricted now, and webhooks tell only of incidents everyone may see.` });
      // Nor when an admin replays it.
      await replayMessage(admin, row.id);
      await deliverPending();
      expect(receiver.received).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it("announces an action that became overdue once per due date, from the daily run, only on org-wide incidents", async () => {
    await endpoint({ eventTypes: ["action.overdue"] });
    const facilitator = await createUser({ name: "Fran" });
    const open = await createIncident(facilitator);
    const restricted = await createIncident(facilitator, { visibility: "restricted" });
    const late = await createAction(facilitator, open.id, null, actionFields(facilitator.id, { title: "Late", dueDate: "2026-11-20" }));
    await createAction(facilitator, restricted.id, null, actionFields(facilitator.id, { title: "Secret late", dueDate: "2026-11-20" }));
    const today = await createAction(facilitator, open.id, null, actionFields(facilitator.id, { title: "Due today", dueDate: "2026-11-23" }));
    await createAction(facilitator, open.id, null, actionFields(facilitator.id, { title: "Long overdue", dueDate: "2026-10-01" }));
    const run = await runReminders(new Date("2026-11-23T10:00:00Z"));
    expect(run.overdueEvents).toBe(1);
    expect((await runReminders(new Date("2026-11-23T18:00:00Z"))).overdueEvents).toBe(0);
    // The next day, the action due the day before is overdue: announced once, the first one not again.
    expect((await runReminders(new Date("2026-11-24T10:00:00Z"))).overdueEvents).toBe(1);
    let overdue = (await webhookRows()).filter((r) => r.kind === "action.overdue");
    expect(overdue.map((r) => eventOf(r).data)).toEqual([
      expect.objectContaining({ actionId: late.id, dueDate: "2026-11-20", status: "open" }),
      expect.objectContaining({ actionId: today.id, dueDate: "2026-11-23" }),
    ]);
    // A new due date that passes is a new overdue.
    const current = (await db().select().from(schema.actions).where(eq(schema.actions.id, late.id)).get())!;
    await updateAction(facilitator, late.id, current.version, { ...actionFields(facilitator.id, { title: "Late", dueDate: "2026-11-25" }) });
    await runReminders(new Date("2026-11-26T10:00:00Z"));
    overdue = (await webhookRows()).filter((r) => r.kind === "action.overdue");
    expect(overdue.map((r) => eventOf(r).data.dueDate)).toEqual(["2026-11-20", "2026-11-23", "2026-11-25"]);
  });

  it("announces a sent digest with the post-mortems everyone may see", async () => {
    await endpoint({ eventTypes: ["digest.sent"] });
    process.env.DIGEST_TO = "everyone@example.com";
    try {
      const facilitator = await createUser({ name: "Fran" });
      for (const visibility of ["org", "org", "restricted"] as const) {
        const incident = await createIncident(facilitator, { summaryMd: "What happened.", visibility });
        await addWhyTree(facilitator, incident.id, [{ question: "Why?", answer: "A queue filled.", remediation: "Alert on it.", noActionReason: "Done." }]);
        await advanceTo(facilitator, incident.id, "published");
      }
      const sent = await sendDigest({ trigger: "manual" });
      const rows = (await webhookRows()).filter((r) => r.kind === "digest.sent");
      expect(rows.map((r) => eventOf(r).data)).toEqual([{ digestSeq: sent.seq, period: sent.label, postMortems: 2, links: { api: `${APP}/api/v1/learnings`, page: `${APP}/learnings` } }]);
    } finally {
      delete process.env.DIGEST_TO;
    }
  });

  it("sends to a turned-off endpoint nothing new, and sets aside what was waiting for it", async () => {
    const { endpoint: off } = await endpoint();
    await createIncident(admin);
    await setEndpointEnabled(admin, off.id, false);
    await createIncident(admin);
    const rows = await webhookRows();
    expect(rows.map((r) => [r.status, r.lastError])).toEqual([["failed", "Not sent: the endpoint was disabled."]]);
    expect((await getEndpoint(admin, off.id)).disabledReason).toBe("Turned off by an admin.");
  });
});

function fieldValuesToFields(values: ReturnType<typeof fieldValues>) {
  return {
    title: values.title,
    severity: values.severity,
    startedAt: `${values.startedAt}:00.000Z`,
    detectedAt: values.detectedAt ? `${values.detectedAt}:00.000Z` : null,
    resolvedAt: values.resolvedAt ? `${values.resolvedAt}:00.000Z` : null,
    services: values.services.split(", ").filter(Boolean),
    impactMd: values.impactMd,
    summaryMd: values.summaryMd,
    visibility: values.visibility,
  };
}

// --- Endpoints ------------------------------------------------------------------------------------

describe("managing endpoints", () => {
  beforeEach(async () => {
    await freshDatabase();
    admin = await createUser({ name: "Ada Admin", role: "admin" });
  });

  it("takes only http(s) URLs without credentials, within the lengths, with at least one event", () => {
    const problems = (input: Record<string, unknown>) => {
      const result = webhookEndpointInput.safeParse({ url: "https://hooks.example.com/in", eventTypes: ["why.added"], ...input });
      return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(problems({})).toEqual([]);
    expect(problems({ url: "ftp://hooks.example.com/" })).toEqual(["url: Only http:// and https:// URLs can receive webhooks."]);
    expect(problems({ url: "https://user:pw@hooks.example.com/" })[0]).toMatch(/user name and password/);
    expect(problems({ url: "hooks.example.com" })[0]).toMatch(/full URL/);
    expect(problems({ url: `https://hooks.example.com/${"a".repeat(WEBHOOK_LIMITS.url)}` })[0]).toMatch(/At most 2,000 characters/);
    expect(problems({ description: "d".repeat(WEBHOOK_LIMITS.description + 1) })[0]).toMatch(/^description: At most 200/);
    expect(problems({ eventTypes: [] })).toEqual(["eventTypes: Choose at least one event to send."]);
    expect(problems({ eventTypes: ["incident.deleted"] })[0]).toMatch(/Choose events from the list/);
    expect(webhookEndpointInput.parse({ url: "https://hooks.example.com/in", eventTypes: ["digest.sent", "why.added", "why.added"] }).eventTypes).toEqual(["why.added", "digest.sent"]);
  });

  it("refuses private addresses at registration unless allowed, saying why", async () => {
    for (const url of ["http://127.0.0.1:3550/in", "http://localhost/in", "http://[::1]/in", "http://10.1.2.3/in", "http://169.254.169.254/latest/meta-data", "http://[::ffff:192.168.0.1]/in"]) {
      const refused = await caught(() => endpoint({ url }));
      expect(refused, url).toBeInstanceOf(Invalid);
      expect((refused as Invalid).field).toBe("url");
      expect((refused as Invalid).message).toMatch(/is a (loopback|private network|link-local) address.*Allow private addresses/);
    }
    await setWebhooksAllowPrivate(admin, true);
    expect((await endpoint({ url: "http://127.0.0.1:3550/in" })).endpoint.url).toBe("http://127.0.0.1:3550/in");
    const unknown = await caught(() => endpoint({ url: "http://no-such-host.invalid/in" }));
    expect((unknown as Invalid).message).toMatch(/no-such-host.invalid could not be found/);
  });

  it("registers at most 20 endpoints, only for admins", async () => {
    await setWebhooksAllowPrivate(admin, true);
    for (let i = 0; i < WEBHOOK_LIMITS.endpoints; i++) await endpoint();
    expect(await caught(() => endpoint())).toBeInstanceOf(LimitReached);
    const member = await createUser();
    await expect(createEndpoint(member, webhookEndpointInput.parse({ url: "https://hooks.example.com/in", eventTypes: ["why.added"] }))).rejects.toThrow(/administrator/);
  });

  it("edits the URL, description and events on the version read; a stale edit is a conflict", async () => {
    await setWebhooksAllowPrivate(admin, true);
    const { endpoint: e } = await endpoint();
    const saved = await updateEndpoint(admin, e.id, { url: "http://127.0.0.1:3551/new", description: "Warehouse", eventTypes: ["digest.sent"], version: e.version });
    expect(saved).toMatchObject({ url: "http://127.0.0.1:3551/new", description: "Warehouse", eventTypes: ["digest.sent"], version: e.version + 1 });
    const stale = await caught(() => updateEndpoint(admin, e.id, { url: e.url, description: "", eventTypes: ["why.added"], version: e.version }));
    expect(stale).toMatchObject({ kind: "conflict", current: { url: "http://127.0.0.1:3551/new", description: "Warehouse" } });
    await setWebhooksAllowPrivate(admin, false);
    await expect(updateEndpoint(admin, e.id, { url: "http://10.0.0.1/x", description: "", eventTypes: ["why.added"], version: saved.version })).rejects.toThrow(Invalid);
  });

  it("rotates the secret: the previous one signs too for 24 hours", async () => {
    await setWebhooksAllowPrivate(admin, true);
    const { endpoint: e, secret } = await endpoint();
    expect(await endpointSecrets(admin, e.id)).toEqual({ secret, previous: null });
    const rotated = await rotateSecret(admin, e.id);
    expect(rotated.secret).not.toBe(secret);
    const secrets = await endpointSecrets(admin, e.id);
    expect(secrets.secret).toBe(rotated.secret);
    expect(secrets.previous?.secret).toBe(secret);
    const hours = (Date.parse(secrets.previous!.until) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it("deletes an endpoint with its deliveries", async () => {
    await setWebhooksAllowPrivate(admin, true);
    const { endpoint: e } = await endpoint();
    await createIncident(admin);
    await deleteEndpoint(admin, e.id);
    expect(await webhookRows()).toEqual([]);
    expect(await db().select().from(schema.webhookEndpoints).all()).toEqual([]);
  });
});

// --- Delivery -------------------------------------------------------------------------------------

describe("delivery to a receiver", () => {
  let receiver: Receiver;
  let secret: string;
  let endpointId: number;
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);

  beforeEach(async () => {
    await freshDatabase();
    admin = await createUser({ name: "Ada Admin", role: "admin" });
    await setWebhooksAllowPrivate(admin, true);
    receiver = await startReceiver();
    const made = await endpoint({ url: receiver.url });
    secret = made.secret;
    endpointId = made.endpoint.id;
  });

  afterEach(async () => {
    await receiver.close();
    delete process.env.WEBHOOK_RETRY_SCHEDULE;
  });

  it("posts signed JSON with the Standard Webhooks headers, and sends nothing more once it is taken", async () => {
    const incident = await createIncident(admin);
    expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
    const [request] = receiver.received;
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers["webhook-timestamp"]).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(request.headers["webhook-timestamp"]) - Date.now() / 1000)).toBeLessThan(60);
    const [row] = await webhookRows();
    expect(request.headers["webhook-id"]).toBe(row.key);
    expect(verified(request, secret)).toMatchObject({ type: "incident.reported", data: { reference: incident.reference } });
    expect(row).toMatchObject({ status: "sent", attempts: 1, lastStatus: 200, nextAttemptAt: null });
    expect(await deliverPending(later(86_400 * 2))).toEqual({ sent: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it("retries a failed delivery on the schedule with the same webhook-id and body, a new timestamp each time", async () => {
    receiver.answer((_, n) => (n < 2 ? { status: 500, body: "database is down" } : { status: 204 }));
    await createIncident(admin);
    const start = Date.now();
    expect(await deliverPending()).toEqual({ sent: 0, failed: 1 });
    let [row] = await webhookRows();
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, lastError: "Answered 500: database is down" });
    expect(Date.parse(row.nextAttemptAt!) - start).toBeGreaterThanOrEqual(5000);
    // Not before it is due.
    expect(await deliverPending(later(2))).toEqual({ sent: 0, failed: 0 });
    expect(await deliverPending(later(6))).toEqual({ sent: 0, failed: 1 });
    [row] = await webhookRows();
    expect(Date.parse(row.nextAttemptAt!) - Date.now()).toBeGreaterThan(5 * 60 * 1000);
    expect(await deliverPending(later(6 + 301))).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"]))).toEqual(new Set([row.key]));
    expect(new Set(receiver.received.map((r) => r.body)).size).toBe(1);
    for (const request of receiver.received) verified(request, secret);
    expect((await webhookRows())[0]).toMatchObject({ status: "sent", attempts: 3, lastStatus: 204, lastError: null });
  });

  it("gives up after the last step of the schedule, and a replay sends it again with the same id", async () => {
    process.env.WEBHOOK_RETRY_SCHEDULE = "1,1";
    receiver.answer(() => ({ status: 503 }));
    await createIncident(admin);
    for (const seconds of [0, 2, 4, 6]) await deliverPending(later(seconds));
    const [row] = await webhookRows();
    expect(row).toMatchObject({ status: "failed", attempts: 3, lastStatus: 503 });
    expect(receiver.received).toHaveLength(3);
    receiver.answer(() => ({ status: 200 }));
    await replayMessage(admin, row.id);
    expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([row.key, row.key, row.key, row.key]);
    // A delivered one can be replayed too.
    await replayMessage(admin, row.id);
    await deliverPending();
    expect(receiver.received).toHaveLength(5);
    verified(receiver.received[4], secret);
  });

  it("waits as long as a Retry-After asks", async () => {
    receiver.answer((_, n) => (n === 0 ? { status: 429, headers: { "retry-after": "600" } } : { status: 200 }));
    await createIncident(admin);
    const start = Date.now();
    await deliverPending();
    const [row] = await webhookRows();
    expect(Date.parse(row.nextAttemptAt!) - start).toBeGreaterThanOrEqual(600_000);
    expect(await deliverPending(later(300))).toEqual({ sent: 0, failed: 0 });
    expect(await deliverPending(later(601))).toEqual({ sent: 1, failed: 0 });
  });

  it("turns the endpoint off when it answers 410 Gone, saying so, and writes nothing more for it", async () => {
    receiver.answer(() => ({ status: 410, body: "channel archived" }));
    await createIncident(admin);
    await createIncident(admin);
    expect(await deliverPending()).toEqual({ sent: 0, failed: 1 });
    const e = await getEndpoint(admin, endpointId);
    expect(e.enabled).toBe(false);
    expect(e.disabledReason).toMatch(/^The endpoint answered 410 Gone on .* UTC: it asked for nothing more to be sent\.$/);
    expect((await webhookRows()).map((r) => [r.status, r.lastError])).toEqual([
      ["failed", "Answered 410 Gone: channel archived. The endpoint was disabled."],
      ["failed", "Not sent: the endpoint was disabled."],
    ]);
    await createIncident(admin);
    expect(await webhookRows()).toHaveLength(2);
    expect(receiver.received).toHaveLength(1);
    await expect(replayMessage(admin, (await webhookRows())[0].id)).rejects.toThrow(StateConflict);
  });

  it("does not follow a redirect: it is a failure to retry, saying where it pointed", async () => {
    receiver.answer(() => ({ status: 301, headers: { location: "https://elsewhere.example/hooks" } }));
    await createIncident(admin);
    await deliverPending();
    expect((await webhookRows())[0].lastError).toBe("Answered 301, a redirect to https://elsewhere.example/hooks: redirects are not followed; register the URL it points to.");
    expect(receiver.received).toHaveLength(1);
  });

  it("retries when nobody answers, and when the address is refused at delivery", async () => {
    const gone = await startReceiver();
    const closedUrl = gone.url;
    await gone.close();
    await updateEndpoint(admin, endpointId, { url: closedUrl, description: "", eventTypes: [...WEBHOOK_EVENT_TYPES], version: (await getEndpoint(admin, endpointId)).version });
    await createIncident(admin);
    await deliverPending();
    expect((await webhookRows())[0]).toMatchObject({ status: "pending", lastStatus: null, lastError: expect.stringMatching(/^No answer: .*ECONNREFUSED/) });
    // Private addresses turned off after the endpoint was added: refused when connecting.
    await setWebhooksAllowPrivate(admin, false);
    await deliverPending(later(6));
    expect((await webhookRows())[0].lastError).toMatch(/^Not sent: 127\.0\.0\.1 is a loopback address/);
  });

  it("sends an endpoint's messages in the order they were written; a failure ends its turn", async () => {
    receiver.answer((_, n) => (n === 1 ? { status: 500 } : { status: 200 }));
    const incidents = [];
    for (const title of ["First", "Second", "Third"]) incidents.push(await createIncident(admin, { title }));
    expect(await deliverPending()).toEqual({ sent: 1, failed: 1 });
    expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
    expect(await deliverPending(later(6))).toEqual({ sent: 1, failed: 0 });
    const references = receiver.received.map((r) => verified(r, secret).data.reference);
    expect(references).toEqual([incidents[0].reference, incidents[1].reference, incidents[2].reference, incidents[1].reference]);
  });

  it("claims each message once: two deliveries at once send it once", async () => {
    for (let i = 0; i < 5; i++) await createIncident(admin);
    const [a, b] = await Promise.all([deliverPending(), deliverPending()]);
    expect(a.sent + b.sent).toBe(5);
    expect(receiver.received).toHaveLength(5);
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(5);
  });

  it("sends a message whose sender died mid-attempt again only once the claim is stale", async () => {
    await createIncident(admin);
    const [row] = await webhookRows();
    await db().update(schema.outbox).set({ status: "sending", claimedAt: new Date().toISOString(), attempts: 1 }).where(eq(schema.outbox.id, row.id)).run();
    expect(await deliverPending(later(60))).toEqual({ sent: 0, failed: 0 });
    expect(await deliverPending(later(3 * 60))).toEqual({ sent: 1, failed: 0 });
    expect(receiver.received.map((r) => r.headers["webhook-id"])).toEqual([row.key]);
  });

  it("signs with both secrets after a rotation, and only the new one once the overlap is over", async () => {
    const { secret: fresh } = await rotateSecret(admin, endpointId);
    await createIncident(admin);
    await deliverPending();
    const [request] = receiver.received;
    expect(request.headers["webhook-signature"].split(" ")).toHaveLength(2);
    verified(request, fresh);
    verified(request, secret);
    await db().update(schema.webhookEndpoints).set({ previousSecretUntil: new Date(Date.now() - 1000).toISOString() }).where(eq(schema.webhookEndpoints.id, endpointId)).run();
    await createIncident(admin);
    await deliverPending();
    expect(receiver.received[1].headers["webhook-signature"].split(" ")).toHaveLength(1);
    verified(receiver.received[1], fresh);
    expect(() => verified(receiver.received[1], secret)).toThrow();
  });

  it("sends a test at once and says what the endpoint answered; a failed test is not retried", async () => {
    const ok = await sendTestEvent(admin, endpointId);
    expect(ok).toMatchObject({ outcome: "sent", status: 200 });
    expect(verified(receiver.received[0], secret)).toEqual({ type: "webhook.test", timestamp: expect.any(String), data: { endpointId, links: { page: `${APP}/admin/webhooks` } } });
    receiver.answer(() => ({ status: 500, body: "nope" }));
    const failed = await sendTestEvent(admin, endpointId);
    expect(failed).toMatchObject({ outcome: "failed", status: 500, error: "Answered 500: nope" });
    await deliverPending(later(3600));
    expect(receiver.received).toHaveLength(2);
    const rows = await listOutbox(admin);
    expect(rows.map((r) => [r.channel, r.kind, r.status, r.lastStatus])).toEqual([
      ["webhook", "webhook.test", "failed", 500],
      ["webhook", "webhook.test", "sent", 200],
    ]);
  });

  it("sends Slack its Block Kit message without signature headers", async () => {
    const slack = await startReceiver();
    try {
      await endpoint({ url: slack.url, format: "slack", eventTypes: ["incident.reported"] });
      await createIncident(admin, { title: "Queue <full>" });
      await deliverPending();
      const [request] = slack.received;
      expect(request.headers["webhook-signature"]).toBeUndefined();
      expect(request.headers["webhook-id"]).toBeUndefined();
      const message = JSON.parse(request.body) as { text: string; blocks: { type: string }[] };
      expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "context", "actions"]);
      expect(message.text).toContain("Queue &lt;full&gt;");
      // The standard endpoint got its signed JSON as well.
      expect(verified(receiver.received[0], secret).type).toBe("incident.reported");
    } finally {
      await slack.close();
    }
  });
});
