// A real OpenID Connect provider for the end-to-end tests, run inside the test process: the
// certified oidc-provider library on a loopback port, with one confidential client for the app
// and a one-field login page in place of passwords. Everything the app talks to is the real
// thing: discovery, JWKS, the authorization and token endpoints, userinfo.
//
//   const provider = await startOidcProvider({ redirectUris: [`${APP}/auth/callback`] });
//   provider.setAccount("ada", { sub: "ada-1", email: "ada@example.com", email_verified: true, name: "Ada" });
//   ...the app redirects the browser to the provider...
//   await signInAtProvider(page, "ada");
//
// Each sign-in stands alone: the provider keeps no single sign-on session (it is ended as soon
// as the app has its authorization code), so every sign-in shows the login page and a second
// sign-in in the same browser may use another login.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "@playwright/test";
import Provider, { type Account, type InteractionDetails } from "oidc-provider";
import { createMemoryAdapter } from "oidc-provider/lib/adapters/memory_adapter.js";

export type ProviderAccount = { sub: string; email: string; email_verified: boolean; name: string; groups?: string[] };

export type TestProvider = {
  /** http://127.0.0.1:<port>, the port the system handed out. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who signs in with that login name; claims are read again at every sign-in. */
  setAccount(login: string, account: ProviderAccount): void;
  /** The next ID token issued (one only) expired an hour ago. */
  expireNextIdToken(): void;
  close(): Promise<void>;
};

const CLIENT_ID = "hindsight-test";
/** The provider's own default, kept for its store too so stored codes outlive their ttl alike. */
const CLOCK_TOLERANCE_SECONDS = 15;
const INTERACTION_PATH = "/interaction/";
const CLAIMS_BY_SCOPE = {
  openid: ["sub"],
  email: ["email", "email_verified"],
  profile: ["name"],
  groups: ["groups"],
};

/**
 * Cookies ignore ports, so the app on the same 127.0.0.1 sees the provider's cookies and the
 * provider the app's: names of their own keep them apart. Not `secure`, as plain http needs;
 * `lax` still sends them on the app's redirect here and on the login form's post.
 */
const COOKIES = {
  names: { session: "test_op_session", interaction: "test_op_interaction", resume: "test_op_interaction_resume" },
  long: { httpOnly: true, sameSite: "lax" },
  short: { httpOnly: true, sameSite: "lax" },
};

export async function startOidcProvider(options: { redirectUris: string[] }): Promise<TestProvider> {
  const accounts = new Map<string, ProviderAccount>();
  const clientSecret = randomBytes(32).toString("base64url");
  let expireNextIdToken = false;

  // The issuer names the port, so the server listens before the provider is made.
  let provider: Provider | undefined;
  let providerRoutes: ReturnType<Provider["callback"]> | undefined;
  const server = http.createServer((req, res) => {
    if (!provider || !providerRoutes) {
      res.writeHead(503).end();
      return;
    }
    const handled = req.url?.startsWith(INTERACTION_PATH) ? interaction(provider, accounts, req, res) : providerRoutes(req, res);
    handled.catch((error: unknown) => {
      console.error("test OpenID provider:", error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    clientAuthMethods: ["client_secret_post"],
    responseTypes: ["code"],
    pkce: { required: () => true },
    scopes: ["openid"],
    claims: CLAIMS_BY_SCOPE,
    // The app reads who signed in from the ID token, so the scopes' claims go in it too, not
    // only in userinfo.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub): Promise<Account | undefined> {
      if (!findBySub(accounts, sub)) return undefined;
      return {
        accountId: sub,
        // Read at issue time, so an account changed between sign-ins shows its new claims.
        claims: () => ({ ...findBySub(accounts, sub) }),
      };
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${INTERACTION_PATH}${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { ...COOKIES, keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [{ ...signingKey, use: "sig", alg: "RS256" }] },
    adapter: createMemoryAdapter(CLOCK_TOLERANCE_SECONDS),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    // The code and access token outlive the sign-in session, which ends once the code is sent.
    expiresWithSession: () => false,
    ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Interaction: 600, Session: 600, Grant: 600 },
    // The app calls the provider from its server, never from a browser script.
    clientBasedCORS: () => false,
    renderError(ctx: { type: string; body: unknown }, out: Record<string, string>) {
      ctx.type = "html";
      ctx.body = page("Sign-in error", Object.entries(out).map(([key, value]) => `<p><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value)}</p>`).join(""));
    },
  });

  provider.on("server_error", (_ctx, error) => console.error("test OpenID provider:", error));

  // No single sign-on: once the authorization code is on its way to the app, the provider
  // forgets who signed in, so the next sign-in in this browser asks for a login again.
  const sessionCookie = provider.cookieName("session");
  provider.use(async (ctx, next) => {
    await next();
    const session = ctx.oidc?.session;
    if (ctx.oidc?.entities.AuthorizationCode && session?.accountId) {
      await session.destroy();
      ctx.oidc.cookies.set(sessionCookie, null, { ...COOKIES.long, overwrite: true });
    }
  });

  // The library's own issuing path with an expiry an hour past, so the token is otherwise real.
  const IdTokenPrototype = provider.IdToken.prototype;
  const issue = IdTokenPrototype.issue;
  IdTokenPrototype.issue = function issueMaybeExpired(this: typeof IdTokenPrototype, issueOptions = {}) {
    if (expireNextIdToken && issueOptions.use === "idtoken") {
      expireNextIdToken = false;
      return issue.call(this, { ...issueOptions, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
    }
    return issue.call(this, issueOptions);
  };
  providerRoutes = provider.callback();

  return {
    issuer,
    clientId: CLIENT_ID,
    clientSecret,
    setAccount(login, account) {
      accounts.set(login, account);
    },
    expireNextIdToken() {
      expireNextIdToken = true;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers and fetch keep connections open; they would hold close() back.
        server.closeAllConnections();
      });
    },
  };
}

/**
 * Completes the provider's sign-in page for `login`; the page is already at the provider's
 * authorization URL (the app redirected there). Resolves once the provider accepted the login
 * and sent the browser on to the app; throws with the page's message when it refused it.
 */
export async function signInAtProvider(page: Page, login: string): Promise<void> {
  const form = page.locator(`form[action^="${INTERACTION_PATH}"]`);
  await page.getByLabel("Login").fill(login);
  const [response] = await Promise.all([
    page.waitForResponse((candidate) => candidate.request().method() === "POST" && new URL(candidate.url()).pathname.startsWith(INTERACTION_PATH)),
    form.getByRole("button", { name: "Sign in" }).click(),
  ]);
  if (response.status() !== 303) {
    throw new Error(`the test OpenID provider refused the login "${login}": ${await page.getByRole("alert").textContent()}`);
  }
}

function findBySub(accounts: Map<string, ProviderAccount>, sub: string): ProviderAccount | undefined {
  return [...accounts.values()].find((account) => account.sub === sub);
}

/** The login page (GET) and its form (POST); requested scopes are granted without asking. */
async function interaction(provider: Provider, accounts: Map<string, ProviderAccount>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (error) {
    // An expired or unknown interaction: the user starts the sign-in again from the app.
    send(res, 400, page("Sign-in expired", `<p role="alert">${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`));
    return;
  }

  if (details.prompt.name !== "login") {
    // Nothing but login is ever asked; a consent prompt (should the policy ask) is granted at once.
    const accountId = details.session?.accountId;
    if (!accountId) throw new Error(`unexpected prompt "${details.prompt.name}" without a signed-in account`);
    await provider.interactionFinished(req, res, { consent: { grantId: await grantRequested(provider, details, accountId) } });
    return;
  }

  if (req.method !== "POST") {
    send(res, 200, loginPage(details.uid));
    return;
  }
  const login = new URLSearchParams(await readBody(req)).get("login")?.trim() ?? "";
  const account = accounts.get(login);
  if (!account) {
    send(res, 400, loginPage(details.uid, login, `No account for the login “${login}”.`));
    return;
  }
  // Login and consent in one result, so the provider goes straight back to the app.
  await provider.interactionFinished(req, res, {
    login: { accountId: account.sub },
    consent: { grantId: await grantRequested(provider, details, account.sub) },
  }, { mergeWithLastSubmission: false });
}

/** A grant of every scope the app asked for that the provider knows. */
async function grantRequested(provider: Provider, details: InteractionDetails, accountId: string): Promise<string> {
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  const requested = (details.params.scope ?? "").split(" ").filter((scope) => Object.hasOwn(CLAIMS_BY_SCOPE, scope));
  grant.addOIDCScope(requested.join(" "));
  return grant.save();
}

function loginPage(uid: string, login = "", error?: string): string {
  return page(
    "Sign in",
    `<h1>Sign in to the test OpenID provider</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="${INTERACTION_PATH}${encodeURIComponent(uid)}">
  <label for="login">Login</label>
  <input id="login" name="login" value="${escapeHtml(login)}" autocomplete="username" autofocus required>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · test OpenID provider</title></head>
<body><main>${body}</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
