// Hindsight as a GitHub App: the webhook signature, the App's JWT, the callback it answers (only
// under the configured API), and a deployment_protection_rule delivery decided once and answered
// once, against a server in this process that plays GitHub's REST API.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIncident, createUser } from "../../db/factories";
import { db, schema } from "~/lib/db.server";
import { appJwt, callbackUnderApi, forgetInstallationTokens, GitHubRefused, signatureOf, verifySignature } from "~/lib/github.server";
import { answerGitHub } from "~/models/deployment-answer.server";
import { listDeploymentReviews, queueUnanswered, receiveDeploymentRequest, type DeploymentRequest } from "~/models/deployment-review.server";
import { deliverPending, listOutbox, replayMessage } from "~/models/outbox.server";
import { Invalid } from "~/models/errors";
import { createPolicy, setRepositoryServices } from "~/models/gate.server";
import { action } from "~/routes/api.github.deployment-protection-rule";
import { caught, freshDatabase } from "./helpers";

const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const PEM = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const SECRET = "webhook-secret-for-tests";

function decodeJwt(token: string) {
  const [header, payload, signature] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, number | string>,
    verified: crypto.verify("sha256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url")),
  };
}

describe("a delivery's signature", () => {
  const body = Buffer.from(JSON.stringify({ action: "requested", environment: "production" }));

  it("is the HMAC-SHA256 of the exact body with the secret", () => {
    expect(verifySignature(SECRET, body, signatureOf(SECRET, body))).toBe(true);
    expect(verifySignature(SECRET, body, signatureOf(SECRET, body).toUpperCase().replace("SHA256", "sha256"))).toBe(true);
  });

  it("is refused for another secret, another body, another form or none", () => {
    const good = signatureOf(SECRET, body);
    expect(verifySignature("another-secret", body, good)).toBe(false);
    expect(verifySignature(SECRET, Buffer.concat([body, Buffer.from(" ")]), good)).toBe(false);
    expect(verifySignature(SECRET, body, good.replace("sha256=", ""))).toBe(false);
    expect(verifySignature(SECRET, body, good.replace("sha256=", "sha1="))).toBe(false);
    expect(verifySignature(SECRET, body, good.slice(0, -2))).toBe(false);
    expect(verifySignature(SECRET, body, `${good}00`)).toBe(false);
    expect(verifySignature(SECRET, body, null)).toBe(false);
    expect(verifySignature(SECRET, body, "")).toBe(false);
  });
});

describe("the App's JWT", () => {
  it("is RS256, issued by the App a minute back, for less than ten minutes, and verifies with its public key", () => {
    const now = new Date("2026-10-10T12:00:00.000Z");
    const token = appJwt({ appId: "123456", privateKey: crypto.createPrivateKey(PEM) }, now);
    const { header, payload, verified } = decodeJwt(token);
    expect(verified).toBe(true);
    expect(header).toEqual({ alg: "RS256", typ: "JWT" });
    const seconds = now.getTime() / 1000;
    expect(payload).toEqual({ iss: "123456", iat: seconds - 60, exp: seconds + 540 });
    expect(Number(payload.exp) - seconds).toBeLessThanOrEqual(600);
    const other = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey;
    const [h, p, s] = token.split(".");
    expect(crypto.verify("sha256", Buffer.from(`${h}.${p}`), other, Buffer.from(s, "base64url"))).toBe(false);
  });
});

describe("the callback URL", () => {
  const path = "/repos/acme/checkout/actions/runs/4242/deployment_protection_rule";

  it("is answered under the configured API only", () => {
    expect(callbackUnderApi(`https://api.github.com${path}`, "https://api.github.com")?.href).toBe(`https://api.github.com${path}`);
    expect(callbackUnderApi(`https://ghe.example.com/api/v3${path}`, "https://ghe.example.com/api/v3/")?.href).toBe(`https://ghe.example.com/api/v3${path}`);
    for (const refused of [
      `http://api.github.com${path}`,
      `https://api.github.com.evil.example${path}`,
      `https://evil.example${path}`,
      `https://api.github.com:8443${path}`,
      `https://user:pass@api.github.com${path}`,
      `https://token@api.github.com${path}`,
      `https://api.github.com${path}?redirect=https://evil.example`,
      `https://api.github.com${path}#x`,
      `https://api.github.com/repos/acme/checkout/issues`,
      `https://api.github.com/app/installations/1/access_tokens`,
      `https://api.github.com/repos/acme/checkout/actions/runs/4242/deployment_protection_rule/../../../../../../user`,
      // A percent-encoded slash or "?" in a name would reach another path of the API.
      "https://api.github.com/repos/..%2F..%2Fapp%2Finstallations%2F1%2Faccess_tokens%3F/b/actions/runs/1/deployment_protection_rule",
      "https://api.github.com/repos/acme/check%2Fout/actions/runs/1/deployment_protection_rule",
      "https://api.github.com/repos/../checkout/actions/runs/1/deployment_protection_rule",
      "not a url",
      "",
    ]) {
      expect(callbackUnderApi(refused, "https://api.github.com"), refused).toBeNull();
    }
    for (const refused of [`https://ghe.example.com${path}`, `https://ghe.example.com/api/v3/..${path}`, `https://ghe.example.com/api/v3/%2e%2e${path}`, `https://ghe.example.com/api/v30${path}`]) {
      expect(callbackUnderApi(refused, "https://ghe.example.com/api/v3"), refused).toBeNull();
    }
  });
});

/** GitHub's side of the exchange: installation tokens for a valid App JWT, and the callbacks it receives. */
type FakeGitHub = {
  url: string;
  tokenRequests: { installation: string; jwt: ReturnType<typeof decodeJwt> }[];
  callbacks: { path: string; authorization: string | undefined; body: Record<string, unknown> }[];
  /** The status the next callbacks answer with (204 by default). */
  callbackStatus: number;
  close(): Promise<void>;
};

async function fakeGitHub(): Promise<FakeGitHub> {
  const fake = { tokenRequests: [], callbacks: [], callbackStatus: 204 } as unknown as FakeGitHub;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const token = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(req.url ?? "");
      if (req.method === "POST" && token) {
        const jwt = decodeJwt((req.headers.authorization ?? "").replace(/^Bearer /, ""));
        fake.tokenRequests.push({ installation: token[1], jwt });
        if (!jwt.verified) return res.writeHead(401).end(JSON.stringify({ message: "A JSON web token could not be decoded" }));
        res.writeHead(201, { "Content-Type": "application/json" });
        return res.end(JSON.stringify({ token: `ghs_installation_${token[1]}`, expires_at: new Date(Date.now() + 3_600_000).toISOString() }));
      }
      if (req.method === "POST" && req.url?.endsWith("/deployment_protection_rule")) {
        fake.callbacks.push({ path: req.url, authorization: req.headers.authorization, body: JSON.parse(body) as Record<string, unknown> });
        return res.writeHead(fake.callbackStatus).end();
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

describe("a deployment GitHub asks about", () => {
  let github: FakeGitHub;
  const saved = { ...process.env };

  beforeAll(async () => {
    github = await fakeGitHub();
  });
  afterAll(async () => {
    await github.close();
  });
  beforeEach(async () => {
    await freshDatabase();
    forgetInstallationTokens();
    github.tokenRequests.length = 0;
    github.callbacks.length = 0;
    github.callbackStatus = 204;
    Object.assign(process.env, { GITHUB_APP_ID: "424242", GITHUB_APP_PRIVATE_KEY: PEM.replace(/\n/g, "\\n"), GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_API_URL: github.url, APP_URL: "https://hindsight.example.com" });
  });
  afterEach(() => {
    for (const key of ["GITHUB_APP_ID", "GITHUB_APP_PRIVATE_KEY", "GITHUB_WEBHOOK_SECRET", "GITHUB_API_URL", "APP_URL"]) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  });

  const request = (overrides: Partial<DeploymentRequest> = {}): DeploymentRequest => ({
    deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    environment: "production",
    event: "push",
    callbackUrl: `${github.url}/repos/acme/checkout/actions/runs/4242/deployment_protection_rule`,
    installationId: 99,
    repository: { fullName: "acme/checkout", name: "checkout" },
    ...overrides,
  });

  async function holdingCheckout() {
    const admin = await createUser({ role: "admin" });
    await createPolicy(admin, { service: "checkout", minSeverity: "SEV2", analysisHours: 48, holdOnOverdueP1: true });
    const incident = await createIncident(admin, { title: "Card payments failing", services: ["checkout"], startedAt: "2026-01-01T00:00:00.000Z", visibility: "restricted" });
    return { admin, incident };
  }

  it("is decided once per delivery, and answered once, with the App's installation token", async () => {
    const { admin } = await holdingCheckout();
    const first = await receiveDeploymentRequest(request());
    expect(first).toMatchObject({ repeated: false, review: { service: "checkout", decision: "rejected", answeredAt: null, repository: "acme/checkout", environment: "production" } });
    expect(first.review.comment).toContain("holds deploys of checkout");
    // GitHub is no one in particular: the restricted incident is not named.
    expect(first.review.comment).toContain("a restricted incident, SEV2: its analysis was not published within 2 days of the start");
    expect(first.review.comment).not.toContain("Card payments");
    const again = await receiveDeploymentRequest(request());
    expect(again).toMatchObject({ repeated: true, review: { id: first.review.id } });
    expect((await db().select({ n: count() }).from(schema.deploymentReviews).get())?.n).toBe(1);

    expect(await answerGitHub(first.review.id)).toMatchObject({ answered: "now", status: 204 });
    expect(github.tokenRequests).toEqual([{ installation: "99", jwt: expect.objectContaining({ verified: true, payload: expect.objectContaining({ iss: "424242" }) }) }]);
    expect(github.callbacks).toEqual([
      {
        path: "/repos/acme/checkout/actions/runs/4242/deployment_protection_rule",
        authorization: "Bearer ghs_installation_99",
        body: { environment_name: "production", state: "rejected", comment: first.review.comment },
      },
    ]);
    expect(await answerGitHub(first.review.id)).toEqual({ answered: "before" });
    expect(github.callbacks).toHaveLength(1);
    expect((await listDeploymentReviews(admin))[0]).toMatchObject({ decision: "rejected", answeredAt: expect.any(String), lastError: null });
  });

  it("approves a deployment of a service no incident holds, through the repository mapping", async () => {
    const { admin } = await holdingCheckout();
    await setRepositoryServices(admin, "acme/storefront = search");
    const { review } = await receiveDeploymentRequest(request({ deliveryId: "d-2", repository: { fullName: "acme/storefront", name: "storefront" } }));
    expect(review).toMatchObject({ service: "search", decision: "approved", comment: "Hindsight's deploy gate is open for search: no policy applies to it." });
    await answerGitHub(review.id);
    expect(github.callbacks[0].body).toEqual({ environment_name: "production", state: "approved", comment: review.comment });
  });

  it("answers a repository whose name is no service name, rejecting it with how to map it", async () => {
    await holdingCheckout();
    const long = "a".repeat(80);
    const { review } = await receiveDeploymentRequest(request({ deliveryId: "d-long", repository: { fullName: `acme/${long}`, name: long } }));
    expect(review).toMatchObject({ decision: "rejected", service: long.slice(0, 60) });
    expect(review.comment).toContain(`Map acme/${long} to a service on Hindsight's Deploy gate page`);
    await answerGitHub(review.id);
    expect(github.callbacks[0].body).toMatchObject({ state: "rejected" });
  });

  it("refuses a callback URL outside the configured API, deciding and storing nothing", async () => {
    await holdingCheckout();
    const refused = await caught(() => receiveDeploymentRequest(request({ callbackUrl: "https://evil.example/repos/acme/checkout/actions/runs/1/deployment_protection_rule" })));
    expect(refused).toBeInstanceOf(Invalid);
    expect((refused as Invalid).message).toContain(`under ${github.url} (GITHUB_API_URL)`);
    expect((await db().select({ n: count() }).from(schema.deploymentReviews).get())?.n).toBe(0);
    expect(github.tokenRequests).toEqual([]);
  });

  it("is not marked answered while GitHub does not take the answer; a 5xx may be tried again, a 422 not", async () => {
    await holdingCheckout();
    const { review } = await receiveDeploymentRequest(request());
    github.callbackStatus = 502;
    const failed = await caught(() => answerGitHub(review.id));
    expect(failed).toBeInstanceOf(GitHubRefused);
    expect((failed as GitHubRefused).transient).toBe(true);
    github.callbackStatus = 422;
    expect((await caught(() => answerGitHub(review.id))) as GitHubRefused).toMatchObject({ status: 422, transient: false });
    expect((await db().select().from(schema.deploymentReviews).get())?.answeredAt).toBeNull();
    github.callbackStatus = 204;
    expect(await answerGitHub(review.id)).toMatchObject({ answered: "now", status: 204 });
    // One token for the three tries: it lasts an hour.
    expect(github.tokenRequests).toHaveLength(1);
  });

  describe("through the outbox", () => {
    const githubRows = () => db().select().from(schema.outbox).where(eq(schema.outbox.channel, "github")).all();

    it("writes the answer with the decision, sends it once, and never again after GitHub took it", async () => {
      const { admin } = await holdingCheckout();
      const { review } = await receiveDeploymentRequest(request());
      expect(await githubRows()).toEqual([
        expect.objectContaining({ key: `github-review-${review.deliveryId}`, kind: "deployment-review", status: "pending", text: String(review.id), subject: "Reject the deployment of acme/checkout to production" }),
      ]);
      // GitHub redelivers: nothing new is queued.
      await receiveDeploymentRequest(request());
      expect(await githubRows()).toHaveLength(1);
      expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
      expect(github.callbacks).toHaveLength(1);
      expect((await githubRows())[0]).toMatchObject({ status: "sent", attempts: 1, lastError: null });
      expect(await deliverPending(new Date(Date.now() + 86_400_000))).toEqual({ sent: 0, failed: 0 });
      expect(github.callbacks).toHaveLength(1);
      // The Outbox page lists it; GitHub's delivery id is not shown as a webhook-id.
      expect((await listOutbox(admin)).find((m) => m.channel === "github")).toMatchObject({ status: "sent", key: "", recipients: "acme/checkout (production)" });
    });

    it("tries again on the schedule while GitHub does not take the answer, then gives it up; a replay sends it once fixed", async () => {
      const { admin } = await holdingCheckout();
      process.env.WEBHOOK_RETRY_SCHEDULE = "60,60";
      try {
        const { review } = await receiveDeploymentRequest(request());
        github.callbackStatus = 502;
        const t0 = new Date();
        expect(await deliverPending(t0)).toEqual({ sent: 0, failed: 1 });
        const waiting = (await githubRows())[0];
        expect(waiting).toMatchObject({ status: "pending", attempts: 1, lastStatus: 502 });
        expect(Date.parse(waiting.nextAttemptAt!)).toBeGreaterThanOrEqual(t0.getTime() + 59_000);
        expect((await listDeploymentReviews(admin))[0]).toMatchObject({ answeredAt: null, delivery: "pending", lastError: expect.stringContaining("502") });
        // Not due yet: nothing is sent.
        expect(await deliverPending(t0)).toEqual({ sent: 0, failed: 0 });
        expect(github.callbacks).toHaveLength(1);
        // GitHub says the answer is not wanted (422): trying again cannot help.
        github.callbackStatus = 422;
        expect(await deliverPending(new Date(t0.getTime() + 61_000))).toEqual({ sent: 0, failed: 1 });
        expect((await githubRows())[0]).toMatchObject({ status: "failed", attempts: 2, lastStatus: 422 });
        expect((await listDeploymentReviews(admin))[0]).toMatchObject({ delivery: "failed", answeredAt: null });
        github.callbackStatus = 204;
        expect(await replayMessage(admin, (await githubRows())[0].id)).toBe("github");
        expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
        expect((await db().select().from(schema.deploymentReviews).where(eq(schema.deploymentReviews.id, review.id)).get())?.answeredAt).not.toBeNull();
        // A replay of an answered review answers nothing twice.
        await replayMessage(admin, (await githubRows())[0].id);
        await deliverPending();
        expect(github.callbacks.filter((c) => c.body.state === "rejected")).toHaveLength(3);
      } finally {
        delete process.env.WEBHOOK_RETRY_SCHEDULE;
      }
    });

    it("sends nothing twice when a sender died mid-answer, and queues at start what was received before answers went through the outbox", async () => {
      await holdingCheckout();
      const { review } = await receiveDeploymentRequest(request());
      // A sender claimed it, GitHub took the answer, and the process died before the outbox row was marked sent.
      await db().update(schema.outbox).set({ status: "sending", claimedAt: new Date(Date.now() - 3 * 60_000).toISOString(), attempts: 1 }).where(eq(schema.outbox.channel, "github")).run();
      expect(await answerGitHub(review.id)).toMatchObject({ answered: "now", status: 204 });
      expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
      expect(github.callbacks).toHaveLength(1);

      // A review with no answer queued (stored before this version): the server queues it as it starts, once.
      const old = await receiveDeploymentRequest(request({ deliveryId: "before-upgrade" }));
      await db().delete(schema.outbox).where(eq(schema.outbox.key, "github-review-before-upgrade")).run();
      expect(await queueUnanswered()).toBe(1);
      expect(await queueUnanswered()).toBe(0);
      expect(await deliverPending()).toEqual({ sent: 1, failed: 0 });
      expect((await db().select().from(schema.deploymentReviews).where(eq(schema.deploymentReviews.id, old.review.id)).get())?.answeredAt).not.toBeNull();
    });
  });

  describe("over HTTP", () => {
    const delivery = (body: unknown, headers: Record<string, string> = {}) => {
      const text = JSON.stringify(body);
      return new Request("http://localhost/api/github/deployment-protection-rule", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "X-GitHub-Event": "deployment_protection_rule",
          "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
          "X-Hub-Signature-256": signatureOf(SECRET, text),
          ...headers,
        },
        body: text,
      });
    };
    const payload = () => ({
      action: "requested",
      environment: "production",
      event: "push",
      deployment_callback_url: `${github.url}/repos/acme/checkout/actions/runs/4242/deployment_protection_rule`,
      deployment: { id: 1, ref: "main", environment: "production" },
      installation: { id: 99 },
      repository: { id: 5, name: "checkout", full_name: "acme/checkout" },
      sender: { login: "octocat" },
    });
    const run = async (req: Request) => (await action({ request: req, params: {}, context: { clientAddress: "127.0.0.1" } })) as Response;

    it("checks the signature before anything else", async () => {
      await holdingCheckout();
      const forged = await run(delivery(payload(), { "X-Hub-Signature-256": signatureOf("guessed", JSON.stringify(payload())) }));
      expect(forged.status).toBe(401);
      const unsigned = await run(delivery(payload(), { "X-Hub-Signature-256": "" }));
      expect(unsigned.status).toBe(401);
      // Even a body that is not JSON, or an event it would ignore, is refused unsigned.
      expect((await run(delivery("{", { "X-Hub-Signature-256": "sha256=00", "X-GitHub-Event": "ping" }))).status).toBe(401);
      expect((await db().select({ n: count() }).from(schema.deploymentReviews).get())?.n).toBe(0);
      delete process.env.GITHUB_WEBHOOK_SECRET;
      expect((await run(delivery(payload()))).status).toBe(404);
    });

    it("ignores other events and actions politely", async () => {
      const ping = await run(delivery({ zen: "Keep it logically awesome." }, { "X-GitHub-Event": "ping" }));
      expect(ping.status).toBe(200);
      expect(await ping.json()).toEqual({ message: "Hindsight answers deployment_protection_rule events only; this ping event was ignored." });
      const other = await run(delivery({ ...payload(), action: "completed" }));
      expect(other.status).toBe(200);
    });

    it("takes a signed delivery, once, and refuses a malformed one", async () => {
      await holdingCheckout();
      const taken = await run(delivery(payload()));
      expect(taken.status).toBe(202);
      expect(await taken.json()).toEqual({ message: "Decided; the answer goes to the callback URL.", service: "checkout", state: "rejected" });
      const repeated = await run(delivery(payload()));
      expect(await repeated.json()).toMatchObject({ message: "This delivery was received before; its answer is the one decided then." });
      expect((await run(delivery({ action: "requested" }))).status).toBe(400);
      expect((await run(delivery(payload(), { "X-GitHub-Delivery": "" }))).status).toBe(400);
      const outside = await run(delivery({ ...payload(), deployment_callback_url: "https://evil.example/repos/a/b/actions/runs/1/deployment_protection_rule" }, { "X-GitHub-Delivery": "other" }));
      expect(outside.status).toBe(400);
      expect(outside.headers.get("Content-Type")).toBe("application/problem+json");
      expect((await db().select({ n: count() }).from(schema.deploymentReviews).get())?.n).toBe(1);
    });
  });
});
