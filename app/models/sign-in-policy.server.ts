import { env } from "~/lib/env.server";
import type { Role } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { getSettings, updateSettings, type Settings } from "./settings.server";
import { Forbidden, Invalid } from "./errors";
import { changePassword, endMembersPasswordSessions, type SignInSource, type User } from "./user.server";

// Who signs in how: the identity provider when one is configured, passwords for everyone unless
// an admin turned them off for members; admins always keep their password, the way in when the
// provider is down (docs/decisions/0027-sign-in-with-the-identity-provider.md).

/** Whether the company's OpenID Connect provider is configured (issuer, client id and secret). */
export function providerConfigured(): boolean {
  const { OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET } = env();
  return Boolean(OIDC_ISSUER && OIDC_CLIENT_ID && OIDC_CLIENT_SECRET);
}

/** Whether someone with this role may sign in with a password now. */
export async function passwordSignInFor(role: Role): Promise<boolean> {
  if (role === "admin" || !providerConfigured()) return true;
  return (await getSettings()).passwordSignIn === "everyone";
}

/** How the sign-in page offers each way in. */
export type SignInOptions = { provider: string | null; passwords: "everyone" | "admins" };

export async function signInOptions(): Promise<SignInOptions> {
  if (!providerConfigured()) return { provider: null, passwords: "everyone" };
  const settings = await getSettings();
  return { provider: settings.providerName, passwords: settings.passwordSignIn };
}

export async function providerName(): Promise<string> {
  return (await getSettings()).providerName;
}

/** The sign-in settings an admin changes on the Sign-in page. */
export type SignInSettings = Pick<Settings, "passwordSignIn" | "providerName" | "providerDomains" | "providerAdminGroups">;

/** The sign-in settings, for an administrator. */
export async function signInSettingsFor(actor: User): Promise<SignInSettings> {
  assertAdmin(actor, "Only an administrator can see the sign-in settings.");
  const { passwordSignIn, providerName, providerDomains, providerAdminGroups } = await getSettings();
  return { passwordSignIn, providerName, providerDomains, providerAdminGroups };
}

/**
 * Saves the sign-in settings. Turning passwords off for members ends the sessions they began
 * with one, so that from then on every member is signed in by the provider. Returns how many ended.
 */
export async function setSignInSettings(actor: User, changes: SignInSettings): Promise<number> {
  if (changes.passwordSignIn === "admins" && !providerConfigured()) {
    throw new Invalid("Configure the identity provider first: without it, members could not sign in at all.", "passwordSignIn");
  }
  const before = (await getSettings()).passwordSignIn;
  await updateSettings(actor, changes);
  return before === "everyone" && changes.passwordSignIn === "admins" ? await endMembersPasswordSessions() : 0;
}

/**
 * A person changes their own password, where passwords are theirs to use: a member has none to
 * change while the provider signs members in. Returns how many other sessions ended.
 */
export async function changeOwnPassword(user: User, input: { current: string; next: string }, source: SignInSource, currentToken: string): Promise<number> {
  if (!(await passwordSignInFor(user.role))) throw new Forbidden(`Password sign-in is turned off for members: you sign in with ${await providerName()}.`);
  return await changePassword(user, input, source, currentToken);
}
