import { and, count, eq, isNull, ne } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import type { ProviderClaims } from "~/lib/oidc.server";
import { Forbidden } from "./errors";
import { oneLine } from "./inputs";
import { FIELD_LIMITS } from "./limits";
import { getSettings } from "./settings.server";
import { addUserFromProvider, normalizeEmail, type Role, type User } from "./user.server";

// Who the identity provider's verified claims make signed in: the account linked to that
// provider subject, else the account with the same verified email (then linked), else a new one
// when the email's domain is allowed. Deactivated (removed) people stay out, whichever way they
// come. A groups claim may make someone an admin or take it away, at every sign-in.

const { users, identities } = schema;

/** The domain of an email address, lower case: "company.com" for "Ada@Company.com". */
export function emailDomain(email: string): string {
  return normalizeEmail(email).split("@").pop() ?? "";
}

const DEACTIVATED = "Your Hindsight account was deactivated. Ask a Hindsight admin if you need it again.";

type AccountRow = User & { removedAt: string | null };

const accountColumns = { id: users.id, email: users.email, name: users.name, team: users.team, role: users.role, removedAt: users.removedAt };

/**
 * The role the provider's groups give, or undefined when roles are not taken from the provider,
 * or when it sent no groups at all (a missing scope says nothing about who is an admin).
 */
function roleFromGroups(claims: ProviderClaims, adminGroups: string[]): Role | undefined {
  if (adminGroups.length === 0 || claims.groups === undefined) return undefined;
  const groups = new Set((claims.groups ?? []).map((g) => g.toLowerCase()));
  return adminGroups.some((g) => groups.has(g.toLowerCase())) ? "admin" : "member";
}

/**
 * The account the provider's claims sign in, made or linked as needed, with the role its groups
 * give. Refused with a message for the person: an email the provider has not verified, a
 * deactivated account, an address no account has whose domain is not allowed.
 */
export async function accountForProvider(claims: ProviderClaims, now = new Date()): Promise<User> {
  const settings = await getSettings();
  return await db().transaction(async (tx) => {
    const linked = await tx
      .select(accountColumns)
      .from(identities)
      .innerJoin(users, eq(users.id, identities.userId))
      .where(and(eq(identities.issuer, claims.issuer), eq(identities.subject, claims.subject)))
      .get();
    let account: AccountRow | undefined = linked;
    // OpenID Connect caps a subject at 255 characters; an email address is at most 320.
    if (claims.subject.length > 255 || (claims.email?.length ?? 0) > 320) throw new Forbidden("The identity provider's answer names you with an identifier or email address too long for Hindsight.");
    if (!account) {
      if (!claims.email) throw new Forbidden("The identity provider did not share your email address, so Hindsight cannot tell which account is yours. Ask your IT team to release the email claim to Hindsight.");
      // Matched as plain ASCII only: lower-casing other letters can turn one mailbox into another
      // ("\u212Aate" into "kate"), and surrounding spaces are not part of an address.
      if (!/^[\x21-\x7e]+$/.test(claims.email)) throw new Forbidden(`Hindsight cannot match the address the identity provider gave (${JSON.stringify(claims.email.slice(0, 320))}) to an account: it takes addresses of plain letters, digits and punctuation. Ask a Hindsight admin.`);
      if (!claims.emailVerified) throw new Forbidden(`The identity provider has not verified your email address (${claims.email}), so Hindsight cannot link it to an account. Verify it there, then sign in again.`);
      const email = normalizeEmail(claims.email);
      const byEmail = await tx.select(accountColumns).from(users).where(eq(users.email, email)).get();
      if (byEmail?.removedAt) throw new Forbidden(DEACTIVATED);
      if (byEmail) {
        // An address the provider gave to someone new must not open the account of the person who had it.
        const other = await tx.select({ id: identities.id }).from(identities).where(and(eq(identities.userId, byEmail.id), eq(identities.issuer, claims.issuer))).get();
        if (other) throw new Forbidden(`The Hindsight account for ${email} is linked to another account at the identity provider. Ask a Hindsight admin.`);
        account = byEmail;
      } else {
        const domain = emailDomain(email);
        if (!settings.providerDomains.includes(domain)) {
          throw new Forbidden(`Hindsight has no account for ${email}, and accounts are not created for ${domain} addresses. Ask a Hindsight admin to add you.`);
        }
        // The provider's name for them, on one line and within the limit the People page keeps.
        const name = (oneLine(claims.name ?? "").trim() || email.split("@")[0]).slice(0, FIELD_LIMITS.personName).trim();
        account = { ...(await addUserFromProvider({ name, email, team: "", role: "member" })), removedAt: null };
      }
      await tx.insert(identities).values({ userId: account.id, issuer: claims.issuer, subject: claims.subject, createdAt: now.toISOString(), lastSignInAt: now.toISOString() }).run();
    } else {
      if (account.removedAt) throw new Forbidden(DEACTIVATED);
      await tx.update(identities).set({ lastSignInAt: now.toISOString() }).where(and(eq(identities.issuer, claims.issuer), eq(identities.subject, claims.subject))).run();
    }
    const role = roleFromGroups(claims, settings.providerAdminGroups);
    const { removedAt: _removed, ...user } = account;
    if (!role || role === user.role) return user;
    // The last admin is never demoted by a group: someone must still be able to change the settings.
    if (role === "member") {
      const others = await tx.select({ n: count() }).from(users).where(and(eq(users.role, "admin"), isNull(users.removedAt), ne(users.id, user.id))).get();
      if ((others?.n ?? 0) === 0) return user;
    }
    await tx.update(users).set({ role }).where(eq(users.id, user.id)).run();
    return { ...user, role };
  });
}
