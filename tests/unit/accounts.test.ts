import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { actionFields, createIncident, createUser } from "../../db/factories";
import { createAction } from "~/models/action.server";
import { db, schema } from "~/lib/db.server";
import type { ProviderClaims } from "~/lib/oidc.server";
import { addAndInvite, findPasswordLink, INVITATION_DAYS, reinvite, requestPasswordReset, RESET_MINUTES, setPasswordWithLink } from "~/models/account-links.server";
import { Forbidden, Invalid, NotFound } from "~/models/errors";
import { runReminders } from "~/models/reminder.server";
import { updateSettings } from "~/models/settings.server";
import { accountForProvider } from "~/models/sso.server";
import { parseDomains } from "~/models/inputs";
import {
  changePassword,
  createSession,
  endOtherSessions,
  endOwnSession,
  FREE_RESET_REQUESTS,
  getProfile,
  listSessions,
  removeUser,
  setReminderEmails,
  signIn,
  updateProfile,
  userForSession,
} from "~/models/user.server";
import { deliverPending } from "~/models/outbox.server";
import { caught, freshDatabase } from "./helpers";
import { startSmtpServer } from "./smtp";

beforeEach(async () => {
  await freshDatabase();
});

const ORIGIN = { method: "password", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", address: "10.0.0.1" } as const;
const PASSWORD = "correct horse battery";
const tokenOf = (url: string) => url.split("/").pop()!;
const outbox = () => db().select().from(schema.outbox).orderBy(schema.outbox.id).all();
/** Asks for a reset and waits for its email to be written, as the answer does not. */
async function requestReset(email: string, source: { address: string }, now?: Date) {
  const answer = await requestPasswordReset(email, source, now);
  if (!answer.ok) return answer;
  await answer.queued;
  return { ok: true };
}
const linkIn = (text: string) => /\/set-password\/([\w-]+)/.exec(text)?.[1];

describe("invitations", () => {
  it("adding a person queues exactly one invitation, with a link that works once", async () => {
    const admin = await createUser({ role: "admin", name: "Avery" });
    const { user, url } = await addAndInvite(admin, { name: "Blake", email: "Blake@Example.com", team: "Web", role: "member" });
    const mails = await outbox();
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ kind: "invitation", recipients: "blake@example.com", subject: "Choose your Hindsight password", status: "pending" });
    expect(mails[0].text).toContain("Avery added you to Hindsight");
    expect(linkIn(mails[0].text)).toBe(tokenOf(url));
    expect(mails[0].html).toContain(url);
    const link = await findPasswordLink(tokenOf(url));
    expect(link).toMatchObject({ id: user.id, purpose: "invitation" });
    await setPasswordWithLink(tokenOf(url), PASSWORD);
    await expect(setPasswordWithLink(tokenOf(url), "another password")).rejects.toThrow(NotFound);
    expect((await signIn("blake@example.com", PASSWORD, { address: "10.0.0.1" })).ok).toBe(true);
  });

  it("stores nothing, and queues no email, when the person cannot be added", async () => {
    const admin = await createUser({ role: "admin" });
    await createUser({ email: "taken@example.com" });
    await caught(() => addAndInvite(admin, { name: "Dup", email: "taken@example.com", team: "", role: "member" }));
    expect(await outbox()).toEqual([]);
    expect(await db().select().from(schema.passwordTokens).all()).toEqual([]);
  });

  it("a new invitation replaces only that person's unused link", async () => {
    const admin = await createUser({ role: "admin" });
    const first = await addAndInvite(admin, { name: "One", email: "one@example.com", team: "", role: "member" });
    const second = await addAndInvite(admin, { name: "Two", email: "two@example.com", team: "", role: "member" });
    expect(await findPasswordLink(tokenOf(first.url))).toBeDefined();
    const again = await reinvite(admin, first.user.id);
    expect(await findPasswordLink(tokenOf(first.url))).toBeUndefined();
    expect((await findPasswordLink(tokenOf(again.url)))?.id).toBe(first.user.id);
    expect((await findPasswordLink(tokenOf(second.url)))?.id).toBe(second.user.id);
    expect(await outbox()).toHaveLength(3);
  });

  it("expires after its days, and is for admins only", async () => {
    const admin = await createUser({ role: "admin" });
    const member = await createUser();
    expect(await caught(() => addAndInvite(member, { name: "X", email: "x@example.com", team: "", role: "member" }))).toBeInstanceOf(Forbidden);
    const start = new Date("2026-12-01T10:00:00Z");
    const { url } = await addAndInvite(admin, { name: "Late", email: "late@example.com", team: "", role: "member" }, start);
    const justBefore = new Date(start.getTime() + INVITATION_DAYS * 86_400_000 - 1000);
    expect(await findPasswordLink(tokenOf(url), justBefore)).toBeDefined();
    const after = new Date(start.getTime() + INVITATION_DAYS * 86_400_000);
    expect(await findPasswordLink(tokenOf(url), after)).toBeUndefined();
    await expect(setPasswordWithLink(tokenOf(url), PASSWORD, after)).rejects.toThrow(NotFound);
  });

  it("when members sign in with the provider only, invites them to it without a password link", async () => {
    process.env.OIDC_ISSUER = "https://id.example.com";
    process.env.OIDC_CLIENT_ID = "hindsight";
    process.env.OIDC_CLIENT_SECRET = "secret";
    try {
      const admin = await createUser({ role: "admin" });
      await updateSettings(admin, { passwordSignIn: "admins", providerName: "Okta" });
      const { url } = await addAndInvite(admin, { name: "Sso", email: "sso@example.com", team: "", role: "member" });
      expect(url).toMatch(/\/signin$/);
      const [mail] = await outbox();
      expect(mail.text).toContain("Sign in with Okta");
      expect(linkIn(mail.text)).toBeUndefined();
      expect(await db().select().from(schema.passwordTokens).all()).toEqual([]);
    } finally {
      delete process.env.OIDC_ISSUER;
      delete process.env.OIDC_CLIENT_ID;
      delete process.env.OIDC_CLIENT_SECRET;
    }
  });
});

describe("password resets", () => {
  it("email a one-time link for an hour, and using it ends every session of the person", async () => {
    const person = await createUser({ email: "ada@example.com", password: PASSWORD });
    const elsewhere = await createSession(person.id, ORIGIN);
    const now = new Date("2026-12-01T10:00:00Z");
    expect(await requestReset(" ADA@example.com ", { address: "10.0.0.1" }, now)).toEqual({ ok: true });
    const [mail] = await outbox();
    expect(mail).toMatchObject({ kind: "reset", recipients: "ada@example.com", subject: "Reset your Hindsight password" });
    const token = linkIn(mail.text)!;
    expect(await findPasswordLink(token, new Date(now.getTime() + (RESET_MINUTES - 1) * 60_000))).toMatchObject({ purpose: "reset" });
    expect(await findPasswordLink(token, new Date(now.getTime() + RESET_MINUTES * 60_000))).toBeUndefined();
    await setPasswordWithLink(token, "a brand new password", new Date(now.getTime() + 60_000));
    expect(await userForSession(elsewhere)).toBeUndefined();
    expect((await signIn("ada@example.com", "a brand new password", { address: "10.0.0.1" })).ok).toBe(true);
    await expect(setPasswordWithLink(token, "yet another password")).rejects.toThrow(NotFound);
  });

  it("answer the same for an address without an account, and send nothing; nor to someone removed", async () => {
    const admin = await createUser({ role: "admin" });
    const leaver = await createUser({ email: "leaver@example.com", password: PASSWORD });
    await removeUser(admin, leaver.id);
    expect(await requestReset("nobody@example.com", { address: "10.0.0.2" })).toEqual({ ok: true });
    expect(await requestReset("leaver@example.com", { address: "10.0.0.2" })).toEqual({ ok: true });
    expect(await outbox()).toEqual([]);
  });

  it("are throttled per account and per address alike, whether the account exists or not", async () => {
    await createUser({ email: "ada@example.com", password: PASSWORD });
    const now = new Date("2026-12-01T10:00:00Z");
    const answers = async (email: string, address: string) => {
      const seen = [];
      for (let i = 0; i <= FREE_RESET_REQUESTS.account; i++) seen.push(await requestReset(email, { address }, now));
      return seen;
    };
    const known = await answers("ada@example.com", "10.0.0.3");
    const unknown = await answers("nobody@example.com", "10.0.0.4");
    expect(known.slice(0, -1).every((a) => a.ok)).toBe(true);
    expect(known.at(-1)).toEqual({ ok: false, retryAfterSeconds: 15 });
    expect(unknown.at(-1)).toEqual(known.at(-1));
    // Only the allowed requests sent an email; a new link replaced the one before.
    expect(await outbox()).toHaveLength(FREE_RESET_REQUESTS.account);
    expect(await db().select().from(schema.passwordTokens).all()).toHaveLength(1);
  });

  it("tell someone who signs in with the provider only that there is no password to reset", async () => {
    process.env.OIDC_ISSUER = "https://id.example.com";
    process.env.OIDC_CLIENT_ID = "hindsight";
    process.env.OIDC_CLIENT_SECRET = "secret";
    try {
      const admin = await createUser({ role: "admin", email: "boss@example.com", password: PASSWORD });
      await createUser({ email: "member@example.com", password: PASSWORD });
      await updateSettings(admin, { passwordSignIn: "admins", providerName: "Okta" });
      await requestReset("member@example.com", { address: "10.0.0.5" });
      await requestReset("boss@example.com", { address: "10.0.0.5" });
      const [member, boss] = await outbox();
      expect(member.text).toContain("there is no Hindsight password to reset");
      expect(linkIn(member.text)).toBeUndefined();
      // Admins keep their password, the way in when the provider is down.
      expect(linkIn(boss.text)).toBeDefined();
    } finally {
      delete process.env.OIDC_ISSUER;
      delete process.env.OIDC_CLIENT_ID;
      delete process.env.OIDC_CLIENT_SECRET;
    }
  });
});

describe("signing in through the identity provider", () => {
  const ISSUER = "https://id.example.com";
  const claims = (over: Partial<ProviderClaims> = {}): ProviderClaims => ({ issuer: ISSUER, subject: "sub-ada", email: "Ada@Company.com", emailVerified: true, name: "Ada Lovelace", ...over });
  let admin: Awaited<ReturnType<typeof createUser>>;
  beforeEach(async () => {
    admin = await createUser({ role: "admin", email: "boss@company.com" });
    await updateSettings(admin, { providerDomains: ["company.com"] });
  });

  it("creates the account at the first sign-in when the domain is allowed, and finds it by subject after", async () => {
    const first = await accountForProvider(claims());
    expect(first).toMatchObject({ name: "Ada Lovelace", email: "ada@company.com", role: "member", team: "" });
    const again = await accountForProvider(claims({ email: "ada.lovelace@company.com", name: "Ada L." }));
    expect(again.id).toBe(first.id);
    expect(await db().select().from(schema.identities).all()).toEqual([expect.objectContaining({ userId: first.id, issuer: ISSUER, subject: "sub-ada" })]);
    expect(await db().select().from(schema.users).all()).toHaveLength(2);
  });

  it("links an existing account with the same verified email instead of making another", async () => {
    const existing = await createUser({ email: "ada@company.com", name: "Ada" });
    expect((await accountForProvider(claims())).id).toBe(existing.id);
    await updateSettings(admin, { providerDomains: [] });
    const other = await createUser({ email: "grace@elsewhere.org" });
    expect((await accountForProvider(claims({ subject: "sub-grace", email: "grace@elsewhere.org" }))).id).toBe(other.id);
  });

  it("refuses an unverified email, a missing one, and a domain that is not allowed, creating nothing", async () => {
    expect(((await caught(() => accountForProvider(claims({ emailVerified: false })))) as Error).message).toMatch(/has not verified your email address \(Ada@Company.com\)/);
    expect(await caught(() => accountForProvider(claims({ email: undefined })))).toBeInstanceOf(Forbidden);
    expect(((await caught(() => accountForProvider(claims({ email: "eve@evil.example" })))) as Error).message).toMatch(/not created for evil\.example addresses/);
    expect(await db().select().from(schema.users).all()).toHaveLength(1);
    expect(await db().select().from(schema.identities).all()).toEqual([]);
  });

  it("refuses a deactivated person, by subject or by email", async () => {
    const ada = await accountForProvider(claims());
    const grace = await createUser({ email: "grace@company.com" });
    await removeUser(admin, ada.id);
    await removeUser(admin, grace.id);
    expect(((await caught(() => accountForProvider(claims()))) as Error).message).toMatch(/deactivated/);
    expect(((await caught(() => accountForProvider(claims({ subject: "sub-grace", email: "grace@company.com" })))) as Error).message).toMatch(/deactivated/);
  });

  it("matches only plain ASCII addresses: another letter that lower-cases to ASCII does not open an account", async () => {
    await createUser({ email: "kate@company.com", role: "admin" });
    expect(((await caught(() => accountForProvider(claims({ subject: "sub-k", email: "\u212Aate@company.com" })))) as Error).message).toMatch(/plain letters/);
    expect(await caught(() => accountForProvider(claims({ subject: "sub-k", email: " kate@company.com" })))).toBeInstanceOf(Forbidden);
    expect(await db().select().from(schema.identities).all()).toEqual([]);
  });

  it("forgets a removed person's provider link when they are added again", async () => {
    const ada = await accountForProvider(claims());
    await removeUser(admin, ada.id);
    const { addUser } = await import("~/models/user.server");
    await addUser(admin, { name: "Ada", email: "ada@company.com", team: "", role: "member" });
    expect(await db().select().from(schema.identities).all()).toEqual([]);
    // The old provider account, now with another address, no longer opens it; the new owner's does.
    expect(await caught(() => accountForProvider(claims({ email: "old-ada@elsewhere.example" })))).toBeInstanceOf(Forbidden);
    expect((await accountForProvider(claims({ subject: "sub-new-ada" }))).id).toBe(ada.id);
  });

  it("does not hand an account to a second provider subject with the same email", async () => {
    await accountForProvider(claims());
    expect(((await caught(() => accountForProvider(claims({ subject: "someone-new" })))) as Error).message).toMatch(/linked to another account/);
  });

  it("makes admins from the groups at every sign-in, and takes it away, but never from the last admin", async () => {
    await updateSettings(admin, { providerAdminGroups: ["Hindsight-Admins"] });
    expect((await accountForProvider(claims({ groups: ["engineering", "hindsight-admins"] }))).role).toBe("admin");
    expect((await accountForProvider(claims({ groups: ["engineering"] }))).role).toBe("member");
    // No groups claim at all (a scope left out) says nothing: the role stays.
    await accountForProvider(claims({ groups: ["hindsight-admins"] }));
    expect((await accountForProvider(claims({ groups: undefined }))).role).toBe("admin");
    expect((await accountForProvider(claims({ groups: [] }))).role).toBe("member");
    // The only admin left keeps the role when the groups would take it.
    const boss = await accountForProvider(claims({ subject: "sub-boss", email: "boss@company.com", groups: [] }));
    expect(boss).toMatchObject({ id: admin.id, role: "admin" });
  });

  it("leaves roles alone when no admin groups are set", async () => {
    const ada = await accountForProvider(claims());
    await db().update(schema.users).set({ role: "admin" }).where(eq(schema.users.id, ada.id)).run();
    expect((await accountForProvider(claims({ groups: [] }))).role).toBe("admin");
  });

  it("reads an allowed-domains list as admins type it", () => {
    expect(parseDomains(" Company.com, @EU.company.com;company.com\nother.org ")).toEqual(["company.com", "eu.company.com", "other.org"]);
  });
});

describe("the profile", () => {
  it("changes the person's own name and team, and their reminder emails", async () => {
    const person = await createUser({ name: "Ada", team: "Web" });
    await updateProfile(person, { name: "Ada Lovelace", team: "Platform" });
    await setReminderEmails(person, false);
    expect(await getProfile(person)).toMatchObject({ name: "Ada Lovelace", team: "Platform", reminderEmails: false, hasPassword: false, providerLinked: false });
  });

  it("changes the password only with the current one, ending the other sessions", async () => {
    const person = await createUser({ email: "ada@example.com", password: PASSWORD });
    const here = await createSession(person.id, ORIGIN);
    const there = await createSession(person.id, ORIGIN);
    expect(await caught(() => changePassword(person, { current: "wrong password", next: "new password 123" }, { address: "10.0.0.1" }, here))).toBeInstanceOf(Invalid);
    expect(await userForSession(there)).toBeDefined();
    expect(await changePassword(person, { current: PASSWORD, next: "new password 123" }, { address: "10.0.0.1" }, here)).toBe(1);
    expect(await userForSession(here)).toBeDefined();
    expect(await userForSession(there)).toBeUndefined();
    expect((await signIn("ada@example.com", "new password 123", { address: "10.0.0.1" })).ok).toBe(true);
  });

  it("lists the person's sessions with where they came from, and ends only their own", async () => {
    const person = await createUser();
    const other = await createUser();
    const here = await createSession(person.id, ORIGIN);
    await createSession(person.id, { method: "provider", userAgent: "curl/8", address: "10.0.0.9" });
    const theirs = await createSession(other.id, ORIGIN);
    const sessions = await listSessions(person, here);
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    expect(sessions.find((s) => !s.current)).toMatchObject({ method: "provider", userAgent: "curl/8", address: "10.0.0.9" });
    const [theirHandle] = (await listSessions(other, theirs)).map((s) => s.handle);
    expect(await endOwnSession(person, theirHandle)).toBe(false);
    expect(await userForSession(theirs)).toBeDefined();
    expect(await endOwnSession(person, "not a handle")).toBe(false);
    expect(await endOwnSession(person, sessions.find((s) => !s.current)!.handle)).toBe(true);
    expect(await listSessions(person, here)).toHaveLength(1);
    await createSession(person.id, ORIGIN);
    expect(await endOtherSessions(person, here)).toBe(1);
    expect(await userForSession(here)).toBeDefined();
  });

  it("reminder emails go only to people who want them", async () => {
    const admin = await createUser({ role: "admin" });
    const wants = await createUser({ email: "wants@example.com" });
    const not = await createUser({ email: "not@example.com" });
    await setReminderEmails(not, false);
    const incident = await createIncident(admin, { title: "Checkout down" });
    for (const owner of [wants, not]) await createAction(admin, incident.id, null, actionFields(owner.id, { title: `Fix for ${owner.email}`, dueDate: "2026-11-02" }));
    await runReminders(new Date("2026-11-10T10:00:00Z"));
    expect((await outbox()).filter((m) => m.kind === "reminder").map((m) => m.recipients)).toEqual(["wants@example.com"]);
  });
});

describe("account emails in the outbox", () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    process.env.SMTP_URL = smtp.url;
  });
  afterAll(async () => {
    delete process.env.SMTP_URL;
    await smtp.close();
  });

  it("are sent once, and keep no copy of their one-time link after", async () => {
    const admin = await createUser({ role: "admin" });
    const { url } = await addAndInvite(admin, { name: "Blake", email: "blake@example.com", team: "", role: "member" });
    await deliverPending();
    await deliverPending();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].text).toContain(url);
    const [mail] = await outbox();
    expect(mail.status).toBe("sent");
    expect(mail.text + mail.html).not.toContain(tokenOf(url));
    expect(await findPasswordLink(tokenOf(url))).toBeDefined();
    // A week on, the sent message goes.
    await deliverPending(new Date(Date.now() + 8 * 86_400_000));
    expect(await outbox()).toEqual([]);
  });
});

describe("turning passwords off for members", () => {
  it("ends the sessions members began with a password or a link, and nobody else's", async () => {
    process.env.OIDC_ISSUER = "https://id.example.com";
    process.env.OIDC_CLIENT_ID = "hindsight";
    process.env.OIDC_CLIENT_SECRET = "secret";
    try {
      const { setSignInSettings } = await import("~/models/sign-in-policy.server");
      const admin = await createUser({ role: "admin" });
      const member = await createUser();
      const adminSession = await createSession(admin.id, ORIGIN);
      const byPassword = await createSession(member.id, ORIGIN);
      const byLink = await createSession(member.id, { ...ORIGIN, method: "link" });
      const byProvider = await createSession(member.id, { ...ORIGIN, method: "provider" });
      const policy = { providerName: "Okta", providerDomains: [], providerAdminGroups: [] };
      expect(await setSignInSettings(admin, { ...policy, passwordSignIn: "admins" })).toBe(2);
      expect(await userForSession(byPassword)).toBeUndefined();
      expect(await userForSession(byLink)).toBeUndefined();
      expect(await userForSession(byProvider)).toBeDefined();
      expect(await userForSession(adminSession)).toBeDefined();
      // Saving again, already off, ends nothing more.
      expect(await setSignInSettings(admin, { ...policy, passwordSignIn: "admins" })).toBe(0);
    } finally {
      delete process.env.OIDC_ISSUER;
      delete process.env.OIDC_CLIENT_ID;
      delete process.env.OIDC_CLIENT_SECRET;
    }
  });
});
