import crypto from "node:crypto";
import { and, count, desc, eq, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import { db, prepared, schema } from "~/lib/db.server";
import { hashToken } from "~/lib/password.server";
import { isAdmin } from "./authorization";
import { Forbidden, LimitReached, NotFound } from "./errors";
import type { ApiTokenInput } from "./inputs";
import type { User } from "./user.server";

const { apiTokens, users } = schema;

// A personal API token lets a script act as the person who made it, through /api/v1: the same
// authorization as their browser, narrowed to reading when its scope is "read". Tokens are
// random (256 bits), so a plain SHA-256 of each is stored, never the token; its first characters
// (`prefix`) tell tokens apart in lists.

export const TOKEN_PREFIX = "hs_";
export const API_TOKEN_LIMITS = {
  /** Tokens one person holds that still work (neither revoked nor expired). */
  perPerson: 20,
  /** Ended tokens (revoked or expired) kept per person, the newest, so their list still says when each ended. */
  endedKept: 30,
  /** Days an ended token is kept at most. */
  endedKeptDays: 90,
} as const;
export const SCOPES = ["read", "write"] as const;
export type Scope = (typeof SCOPES)[number];

/** last_used_at is written at most this often per token, not on every request. */
const LAST_USED_EVERY_MS = 60_000;

export type ApiToken = {
  id: number;
  name: string;
  prefix: string;
  scope: Scope;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
  ownerId: number;
  ownerName: string;
};

const tokenColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scope: apiTokens.scope,
  createdAt: apiTokens.createdAt,
  expiresAt: apiTokens.expiresAt,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
  ownerId: apiTokens.userId,
  ownerName: users.name,
};

/** Whether a token still works at `now`: not revoked, not expired. */
export function isLive(token: Pick<ApiToken, "revokedAt" | "expiresAt">, now = new Date()): boolean {
  return token.revokedAt === null && (token.expiresAt === null || token.expiresAt > now.toISOString());
}

/** Makes a token for the person; the token itself is returned this once and never again. */
export async function createApiToken(actor: User, input: ApiTokenInput, now = new Date()): Promise<{ token: string; apiToken: ApiToken }> {
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString("base64url");
  const expiresAt = input.expiresInDays === null ? null : new Date(now.getTime() + input.expiresInDays * 86_400_000).toISOString();
  const id = await db().transaction(async (tx) => {
    const live = (await tx
      .select({ n: count() })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, actor.id), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), sql`${apiTokens.expiresAt} > ${now.toISOString()}`)))
      .get())!.n;
    if (live >= API_TOKEN_LIMITS.perPerson) {
      throw new LimitReached(`You hold ${API_TOKEN_LIMITS.perPerson} working tokens, the most one person may. Revoke one you no longer use first.`, "name");
    }
    const row = await tx
      .insert(apiTokens)
      .values({ userId: actor.id, name: input.name, tokenHash: hashToken(token), prefix: token.slice(0, 10), scope: input.scope, createdAt: now.toISOString(), expiresAt })
      .returning({ id: apiTokens.id })
      .get();
    // Ended tokens go as new ones come: a person's list holds the working ones and the latest that ended.
    const ended = or(sql`${apiTokens.revokedAt} is not null`, sql`${apiTokens.expiresAt} <= ${now.toISOString()}`);
    const endedSince = new Date(now.getTime() - API_TOKEN_LIMITS.endedKeptDays * 86_400_000).toISOString();
    const keptEnded = tx.select({ id: apiTokens.id }).from(apiTokens).where(and(eq(apiTokens.userId, actor.id), ended)).orderBy(desc(apiTokens.id)).limit(API_TOKEN_LIMITS.endedKept);
    await tx
      .delete(apiTokens)
      .where(and(eq(apiTokens.userId, actor.id), ended, or(sql`coalesce(${apiTokens.revokedAt}, ${apiTokens.expiresAt}) < ${endedSince}`, notInArray(apiTokens.id, keptEnded))))
      .run();
    return row.id;
  });
  return { token, apiToken: (await findToken(id))! };
}

async function findToken(id: number): Promise<ApiToken | undefined> {
  return await db().select(tokenColumns).from(apiTokens).innerJoin(users, eq(users.id, apiTokens.userId)).where(eq(apiTokens.id, id)).get();
}

/** The person's own tokens, newest first, revoked ones included (they say when). */
export async function listOwnTokens(actor: Pick<User, "id">): Promise<ApiToken[]> {
  return await db()
    .select(tokenColumns)
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.userId, actor.id))
    .orderBy(desc(apiTokens.id))
    .limit(200)
    .all();
}

/** Every token that still works, everyone's, for an administrator. */
export async function listLiveTokens(actor: User, now = new Date()): Promise<ApiToken[]> {
  if (!isAdmin(actor)) throw new Forbidden("Only an administrator can see everyone's tokens.");
  return await db()
    .select(tokenColumns)
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), sql`${apiTokens.expiresAt} > ${now.toISOString()}`), isNull(users.removedAt)))
    .orderBy(desc(apiTokens.id))
    .limit(1000)
    .all();
}

/** Revokes a token: its owner may, and so may an administrator. Revoking twice changes nothing. */
export async function revokeApiToken(actor: User, id: number, now = new Date()): Promise<ApiToken> {
  const found = await findToken(id);
  // Someone else's token is not theirs to know of.
  if (!found || (found.ownerId !== actor.id && !isAdmin(actor))) throw new NotFound("token");
  await db()
    .update(apiTokens)
    .set({ revokedAt: now.toISOString(), revokedById: actor.id })
    .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
    .run();
  return (await findToken(id))!;
}

/**
 * Revokes one of the person's own tokens (on their profile, or with one of their tokens): another
 * person's is not found here, an administrator's included (they revoke it on the admin's page).
 */
export async function revokeOwnApiToken(actor: User, id: number, now = new Date()): Promise<ApiToken> {
  const found = await findToken(id);
  if (!found || found.ownerId !== actor.id) throw new NotFound("token");
  return await revokeApiToken(actor, id, now);
}

const tokenUser = prepared((d) =>
  d
    .select({ id: users.id, email: users.email, name: users.name, team: users.team, role: users.role, tokenId: apiTokens.id, scope: apiTokens.scope, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, sql.placeholder("hash")),
        isNull(apiTokens.revokedAt),
        isNull(users.removedAt),
        or(isNull(apiTokens.expiresAt), sql`${apiTokens.expiresAt} > ${sql.placeholder("now")}`),
      ),
    )
    .prepare(),
);

export type TokenHolder = {
  user: User;
  tokenId: number;
  /** The token's stored hash: what names it where its requests are counted. */
  tokenHash: string;
  scope: Scope;
  lastUsedAt: string | null;
};

/** Who a token acts for, or undefined when it does not work: unknown, revoked, expired, or its owner removed. */
export async function holderOfToken(token: string, now = new Date()): Promise<TokenHolder | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 100) return undefined;
  const tokenHash = hashToken(token);
  const found = await tokenUser().get({ hash: tokenHash, now: now.toISOString() });
  if (!found) return undefined;
  const { tokenId, scope, lastUsedAt, ...user } = found;
  return { user, tokenId, tokenHash, scope, lastUsedAt };
}

/**
 * Notes that the token was used for a request it was answered, at most once a minute: the
 * list of tokens then says which are still in use. A refused request writes nothing.
 */
export async function noteTokenUse(holder: TokenHolder, now = new Date()): Promise<void> {
  const staleBefore = new Date(now.getTime() - LAST_USED_EVERY_MS).toISOString();
  if (holder.lastUsedAt !== null && holder.lastUsedAt >= staleBefore) return;
  await db()
    .update(apiTokens)
    .set({ lastUsedAt: now.toISOString() })
    .where(and(eq(apiTokens.id, holder.tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, staleBefore))))
    .run();
}
