import crypto from "node:crypto";
import fs from "node:fs";
import { env } from "./env.server";

// Hindsight as a GitHub App, for the deploy gate's custom deployment protection rule: checking
// that a webhook delivery comes from GitHub, authenticating as the App (a JWT signed with its
// private key, exchanged for an installation access token) and answering GitHub's callback.
// Only the REST API at GITHUB_API_URL is ever called.

/** The headers every request to GitHub's REST API carries. */
const API_HEADERS = { Accept: "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "Hindsight" };

/** How long a request to GitHub may take before it counts as failed (and is tried again later). */
const REQUEST_TIMEOUT_MS = 10_000;

export type GitHubApp = { appId: string; privateKey: crypto.KeyObject; apiUrl: string };

/** The webhook secret, when set: without it no delivery can be checked, so none is accepted. */
export function webhookSecret(): string | undefined {
  return env().GITHUB_WEBHOOK_SECRET;
}

/** The API base URL, without a trailing slash. */
export function apiUrl(): string {
  return env().GITHUB_API_URL.replace(/\/+$/, "");
}

/**
 * The App as configured, or what is missing or wrong: the admin page shows it, and a delivery
 * is not answered without it.
 */
export function gitHubApp(): { app: GitHubApp; problem: null } | { app: null; problem: string } {
  const { GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_FILE, GITHUB_WEBHOOK_SECRET } = env();
  const missing = [
    GITHUB_APP_ID ? null : "GITHUB_APP_ID",
    GITHUB_APP_PRIVATE_KEY || GITHUB_APP_PRIVATE_KEY_FILE ? null : "GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE)",
    GITHUB_WEBHOOK_SECRET ? null : "GITHUB_WEBHOOK_SECRET",
  ].filter(Boolean);
  if (missing.length > 0) return { app: null, problem: `Not configured: set ${missing.join(", ")}.` };
  let pem: string;
  try {
    pem = GITHUB_APP_PRIVATE_KEY ?? fs.readFileSync(GITHUB_APP_PRIVATE_KEY_FILE!, "utf8");
  } catch (error) {
    return { app: null, problem: `GITHUB_APP_PRIVATE_KEY_FILE cannot be read: ${(error as Error).message}` };
  }
  try {
    // An environment variable often carries the PEM on one line, its line breaks written as "\n".
    const privateKey = crypto.createPrivateKey(pem.replace(/\\n/g, "\n"));
    if (privateKey.asymmetricKeyType !== "rsa") return { app: null, problem: "The App's private key is not an RSA key: download a new one from the App's settings." };
    return { app: { appId: GITHUB_APP_ID!, privateKey, apiUrl: apiUrl() }, problem: null };
  } catch {
    return { app: null, problem: "The App's private key is not a PEM private key: paste the whole file GitHub gave, BEGIN and END lines included." };
  }
}

/**
 * Whether `signatureHeader` (X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the body
 * with the webhook secret) signs exactly these bytes. Compared in constant time, so the answer's
 * timing tells nothing about how much of a forged signature was right.
 */
export function verifySignature(secret: string, body: Uint8Array, signatureHeader: string | null): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(signatureHeader?.trim() ?? "");
  if (!match) return false;
  const expected = crypto.createHmac("sha256", secret).update(body).digest();
  const given = Buffer.from(match[1], "hex");
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The signature header GitHub would send for `body` (for the tests that play GitHub). */
export function signatureOf(secret: string, body: Uint8Array | string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body).digest("hex")}`;
}

const base64url = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/**
 * The App's JSON Web Token (RS256): issued by the App, dated a minute back (GitHub's clock may
 * be behind ours) and valid for nine minutes (GitHub refuses more than ten).
 */
export function appJwt(app: Pick<GitHubApp, "appId" | "privateKey">, now: Date = new Date()): string {
  const seconds = Math.floor(now.getTime() / 1000);
  const header = base64url(JSON.stringify({ alg: "RS256", typ: "JWT" }));
  const payload = base64url(JSON.stringify({ iat: seconds - 60, exp: seconds + 540, iss: app.appId }));
  const signature = crypto.sign("sha256", Buffer.from(`${header}.${payload}`), app.privateKey);
  return `${header}.${payload}.${base64url(signature)}`;
}

/**
 * The callback URL if it is an address of the configured API (same scheme, host and port, under
 * its path) with nothing else in it; null otherwise. The URL comes in a delivery: answering it
 * anywhere else would send the App's installation token to whoever wrote it.
 */
export function callbackUnderApi(callbackUrl: string, api: string = apiUrl()): URL | null {
  let url: URL;
  let base: URL;
  try {
    url = new URL(callbackUrl);
    base = new URL(api);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username || url.password || url.search || url.hash) return null;
  const basePath = base.pathname.replace(/\/+$/, "");
  if (!url.pathname.startsWith(`${basePath}/`)) return null;
  // A callback names a workflow run's deployment protection rule; nothing else is answered.
  // Owners and repositories are named with letters, digits, "-", "_" and "." alone: nothing
  // percent-encoded (a slash, a "?") may stand in for one.
  if (!/^\/repos\/[A-Za-z0-9._-]+\/[A-Za-z0-9._-]+\/actions\/runs\/\d+\/deployment_protection_rule$/.test(url.pathname.slice(basePath.length))) return null;
  if (url.pathname.split("/").some((segment) => segment === "." || segment === "..")) return null;
  return url;
}

/** A request to GitHub that did not get a 2xx: its status (0 when none came) and what it said. */
export class GitHubRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }

  /** Whether trying again may help: no answer, a timeout, a rate limit or GitHub's own trouble. */
  get transient(): boolean {
    return this.status === 0 || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

async function request(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: "manual", signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new GitHubRefused(0, `${init.method} ${url}: ${(error as Error).message}`);
  }
  if (response.status < 200 || response.status >= 300) {
    const text = (await response.text().catch(() => "")).slice(0, 300);
    throw new GitHubRefused(response.status, `${init.method} ${url}: ${response.status}${text ? ` ${text}` : ""}`);
  }
  return response;
}

/** Installation tokens last an hour; one is reused until five minutes before it expires. */
const tokens = new Map<string, { token: string; expiresAt: number }>();
const TOKEN_MARGIN_MS = 5 * 60_000;

/** An installation access token for the installation, made with the App's JWT. */
export async function installationToken(app: GitHubApp, installationId: number, now: Date = new Date()): Promise<string> {
  const key = `${app.apiUrl} ${app.appId} ${installationId}`;
  const cached = tokens.get(key);
  if (cached && cached.expiresAt - TOKEN_MARGIN_MS > now.getTime()) return cached.token;
  const response = await request(`${app.apiUrl}/app/installations/${installationId}/access_tokens`, {
    method: "POST",
    headers: { ...API_HEADERS, Authorization: `Bearer ${appJwt(app, now)}` },
  });
  const body = (await response.json().catch(() => ({}))) as { token?: unknown; expires_at?: unknown };
  if (typeof body.token !== "string" || body.token === "") throw new GitHubRefused(response.status, "GitHub answered without an installation token.");
  const expiresAt = typeof body.expires_at === "string" ? Date.parse(body.expires_at) : NaN;
  tokens.set(key, { token: body.token, expiresAt: Number.isNaN(expiresAt) ? now.getTime() + 3_600_000 : expiresAt });
  return body.token;
}

/** Forgets the installation tokens (a test's new App, a key that changed). */
export function forgetInstallationTokens(): void {
  tokens.clear();
}

export type ReviewAnswer = { environment_name: string; state: "approved" | "rejected"; comment: string };

/** Approves or rejects the deployment at GitHub's callback URL, as the App's installation; GitHub's status. */
export async function answerReview(callbackUrl: URL, token: string, answer: ReviewAnswer): Promise<number> {
  const response = await request(callbackUrl.href, {
    method: "POST",
    headers: { ...API_HEADERS, Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(answer),
  });
  return response.status;
}
