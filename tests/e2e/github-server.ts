// GitHub's side of a custom deployment protection rule, on loopback, as GitHub documents it: it
// sends the App's webhook (a deployment_protection_rule event, signed with X-Hub-Signature-256),
// hands out installation access tokens for a JWT signed with the App's private key, and takes the
// review at the deployment's callback URL. What Hindsight sent it is kept for the test to read.
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type TokenRequest = { installationId: number; problem: string | null };
export type Callback = { path: string; problem: string | null; body: { environment_name?: unknown; state?: unknown; comment?: unknown } };

export type GitHubSide = {
  /** The REST API's base URL: Hindsight's GITHUB_API_URL. */
  apiUrl: string;
  appId: string;
  /** The App's private key (PEM), for Hindsight's GITHUB_APP_PRIVATE_KEY. */
  privateKeyPem: string;
  webhookSecret: string;
  tokenRequests: TokenRequest[];
  callbacks: Callback[];
  /** How many of the next callbacks GitHub answers with 502 (its own trouble), as if down for a while. */
  outages: number;
  /** Posts a deployment_protection_rule delivery to `url`, signed (or with the signature given); Hindsight's answer. */
  deliver(url: string, delivery: Delivery, options?: { signature?: string }): Promise<{ status: number; body: string }>;
  /** The callback URL of a workflow run of a repository, as GitHub gives it. */
  callbackUrl(repository: string, runId: number): string;
  close(): Promise<void>;
};

export type Delivery = { id: string; repository: string; environment: string; runId: number; installationId: number };

/** How long an installation token lasts (GitHub: one hour). */
const TOKEN_LIFETIME_MS = 3_600_000;

export async function startGitHub(): Promise<GitHubSide> {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const appId = "1234567";
  const issued = new Map<string, number>();
  const side = {
    appId,
    privateKeyPem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    webhookSecret: crypto.randomBytes(20).toString("hex"),
    tokenRequests: [] as TokenRequest[],
    callbacks: [] as Callback[],
    outages: 0,
  };

  /** What is wrong with the App's JWT, as GitHub checks it: RS256 by the App's key, issued by the App, at most ten minutes. */
  function jwtProblem(authorization: string | undefined): string | null {
    const token = /^Bearer (.+)$/.exec(authorization ?? "")?.[1];
    if (!token) return "no bearer token";
    const [header, payload, signature] = token.split(".");
    if (!header || !payload || !signature) return "not a JWT";
    const head = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg?: string };
    if (head.alg !== "RS256") return `alg ${head.alg}`;
    if (!crypto.verify("sha256", Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url"))) return "bad signature";
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss?: unknown; iat?: number; exp?: number };
    const now = Math.floor(Date.now() / 1000);
    if (String(claims.iss) !== appId) return `iss ${String(claims.iss)}`;
    if (typeof claims.iat !== "number" || claims.iat > now) return "iat in the future";
    if (typeof claims.exp !== "number" || claims.exp <= now || claims.exp - claims.iat > 600) return "exp more than ten minutes after iat, or past";
    return null;
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "";
      const tokenPath = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url);
      if (req.method === "POST" && tokenPath) {
        const problem = jwtProblem(req.headers.authorization);
        side.tokenRequests.push({ installationId: Number(tokenPath[1]), problem });
        if (problem) return res.writeHead(401, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "A JSON web token could not be decoded" }));
        const token = `ghs_${crypto.randomBytes(18).toString("base64url")}`;
        issued.set(token, Date.now() + TOKEN_LIFETIME_MS);
        return res
          .writeHead(201, { "Content-Type": "application/json" })
          .end(JSON.stringify({ token, expires_at: new Date(Date.now() + TOKEN_LIFETIME_MS).toISOString(), permissions: { actions: "read", deployments: "write" } }));
      }
      if (req.method === "POST" && /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/deployment_protection_rule$/.test(url)) {
        const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
        let body: Callback["body"] = {};
        let problem: string | null = null;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString()) as Callback["body"];
        } catch {
          problem = "body is not JSON";
        }
        if (!problem && !((issued.get(token) ?? 0) > Date.now())) problem = "not an installation token GitHub issued";
        if (!problem && (typeof body.environment_name !== "string" || (body.state !== "approved" && body.state !== "rejected") || typeof body.comment !== "string")) {
          problem = "environment_name, state (approved or rejected) and comment are required";
        }
        if (side.outages > 0) {
          side.outages -= 1;
          side.callbacks.push({ path: url, problem: "502 Bad Gateway", body });
          return res.writeHead(502, { "Content-Type": "text/html" }).end("<h1>502 Bad Gateway</h1>");
        }
        side.callbacks.push({ path: url, problem, body });
        return problem ? res.writeHead(422, { "Content-Type": "application/json" }).end(JSON.stringify({ message: problem })) : res.writeHead(204).end();
      }
      res.writeHead(404, { "Content-Type": "application/json" }).end(JSON.stringify({ message: "Not Found" }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const callbackUrl = (repository: string, runId: number) => `${apiUrl}/repos/${repository}/actions/runs/${runId}/deployment_protection_rule`;

  /** The event as GitHub documents its payload: action, environment, event, deployment_callback_url, deployment, installation, repository, sender. */
  function payload(delivery: Delivery) {
    const [owner, name] = delivery.repository.split("/");
    return {
      action: "requested",
      environment: delivery.environment,
      event: "push",
      deployment_callback_url: callbackUrl(delivery.repository, delivery.runId),
      deployment: {
        url: `${apiUrl}/repos/${delivery.repository}/deployments/${delivery.runId + 1}`,
        id: delivery.runId + 1,
        sha: crypto.createHash("sha1").update(delivery.id).digest("hex"),
        ref: "main",
        task: "deploy",
        environment: delivery.environment,
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
      },
      pull_requests: [],
      repository: { id: 1296269, name, full_name: delivery.repository, private: true, owner: { login: owner, id: 1, type: "Organization" } },
      organization: { login: owner, id: 1 },
      installation: { id: delivery.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
      sender: { login: "octocat", id: 583231, type: "User" },
    };
  }

  function deliver(url: string, delivery: Delivery, options: { signature?: string } = {}): Promise<{ status: number; body: string }> {
    const body = Buffer.from(JSON.stringify(payload(delivery)));
    const signature = options.signature ?? `sha256=${crypto.createHmac("sha256", side.webhookSecret).update(body).digest("hex")}`;
    const target = new URL(url);
    return new Promise((resolve, reject) => {
      // GitHub's own headers, and no Origin: a delivery is not a browser's request.
      const request = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            "Content-Length": body.length,
            "User-Agent": "GitHub-Hookshot/044aadd",
            "X-GitHub-Event": "deployment_protection_rule",
            "X-GitHub-Delivery": delivery.id,
            "X-GitHub-Hook-ID": "292430182",
            "X-GitHub-Hook-Installation-Target-ID": appId,
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            "X-Hub-Signature-256": signature,
          },
        },
        (response) => {
          let text = "";
          response.on("data", (chunk: Buffer) => (text += chunk.toString()));
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }

  // The side itself, so that a test setting `outages` sets what the server reads.
  return Object.assign(side, {
    apiUrl,
    deliver,
    callbackUrl,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
