import { and, asc, count, desc, eq, exists, isNull, lt, notInArray, or, sql } from "drizzle-orm";
import { db, prepared, schema } from "~/lib/db.server";
import { hashPassword, hashToken, newToken, verifyPassword } from "~/lib/password.server";
import { Invalid, NotFound, StateConflict } from "./errors";
import type { Role } from "./authorization";
import { assertAdmin } from "./authorization.server";
import { laterInsertedFirst } from "./sql/sqlite.server";

export type { Role };
export type User = {
  id: number;
  email: string;
  name: string;
  team: string;
  role: Role;
};

const { users, sessions, passwordTokens, signInFailures, actions, digestSubscriptions } = schema;

/** What pages and emails add to the name of someone who was removed. */
export const REMOVED_MARK = " (removed)";

/**
 * A person's name wherever work or history names them: "Ada Lovelace (removed)" once they were
 * removed, so an action they still own reads as nobody's to do until it is handed over.
 */
export const personName = sql<string>`(${users.name} || case when ${users.removedAt} is null then '' else ${REMOVED_MARK} end)`;

const publicColumns = {
  id: users.id,
  email: users.email,
  name: users.name,
  team: users.team,
  role: users.role,
};

export const SESSION_DAYS = 30;
const PASSWORD_LINK_DAYS = 7;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function countUsers(): Promise<number> {
  return (await db().select({ n: count() }).from(users).get())?.n ?? 0;
}

export async function getUser(id: number): Promise<User | undefined> {
  return await db()
    .select(publicColumns)
    .from(users)
    .where(and(eq(users.id, id), isNull(users.removedAt)))
    .get();
}

export async function listUsers(): Promise<(User & { hasPassword: boolean; createdAt: string })[]> {
  return await db()
    .select({
      ...publicColumns,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
      createdAt: users.createdAt,
    })
    .from(users)
    .where(isNull(users.removedAt))
    .orderBy(asc(users.name))
    .all();
}

/** The owner filter's people, by name: everyone, and removed people who still own actions (marked so). */
export async function ownerFilterPeople(): Promise<{ id: number; name: string }[]> {
  const ownsActions = exists(db().select({ one: sql`1` }).from(actions).where(eq(actions.ownerId, users.id)));
  return await db()
    .select({ id: users.id, name: personName })
    .from(users)
    .where(or(isNull(users.removedAt), ownsActions))
    .orderBy(asc(users.name), asc(users.id))
    .all();
}

type NewUser = { name: string; email: string; team: string; role: Role };

async function insertUser(input: NewUser & { passwordHash?: string }): Promise<User> {
  const email = normalizeEmail(input.email);
  const existing = await db().select({ id: users.id, removedAt: users.removedAt }).from(users).where(eq(users.email, email)).get();
  if (existing && !existing.removedAt) {
    throw new StateConflict("A user with this email already exists.", "email");
  }
  if (existing) {
    // Re-adding someone who was removed brings their account (and their history) back, but no
    // way in they had before: the feed link too is made anew.
    return await db()
      .update(users)
      .set({ ...input, email, passwordHash: input.passwordHash ?? null, feedToken: newToken().token, removedAt: null })
      .where(eq(users.id, existing.id))
      .returning(publicColumns)
      .get();
  }
  // The private feed link is made with the account, so that reading the learnings page writes nothing.
  return await db().insert(users).values({ ...input, email, feedToken: newToken().token }).returning(publicColumns).get();
}

/** The names, emails and teams of the people in the directory: the wording check looks for them. */
export async function directoryNames(): Promise<{ people: string[]; teams: string[] }> {
  const rows = await db().select({ name: users.name, email: users.email, team: users.team }).from(users).where(isNull(users.removedAt)).all();
  return { people: rows.flatMap((u) => [u.name, u.email]), teams: [...new Set(rows.map((u) => u.team.trim()).filter(Boolean))] };
}

/** First run: the very first account becomes an admin. Refused once anyone exists. */
export async function createFirstAdmin(input: Omit<NewUser, "role"> & { password: string }): Promise<User> {
  return await db().transaction(async () => {
    if ((await countUsers()) > 0) throw new StateConflict("Hindsight already has an administrator. Sign in instead.");
    return await insertUser({ ...input, role: "admin", passwordHash: hashPassword(input.password) });
  });
}



/** An admin adds someone; they get a one-time link to choose their password. */
export async function addUser(actor: User, input: NewUser): Promise<{ user: User; token: string }> {
  assertAdmin(actor);
  return await db().transaction(async () => {
    const user = await insertUser(input);
    return { user, token: await issuePasswordToken(actor, user.id) };
  });
}

export async function updateUser(actor: User, id: number, input: Omit<NewUser, "email">): Promise<User> {
  assertAdmin(actor);
  if (id === actor.id && input.role !== "admin") {
    throw new Invalid("You cannot take away your own admin role.", "role");
  }
  const user = await db().update(users).set(input).where(and(eq(users.id, id), isNull(users.removedAt))).returning(publicColumns).get();
  if (!user) throw new NotFound("user", "No such user.");
  return user;
}

/**
 * Removes a user: they can no longer sign in, and every way in they had ends now: their
 * sessions, unused set-password links and their private feed link.
 */
export async function removeUser(actor: User, id: number): Promise<void> {
  assertAdmin(actor);
  if (id === actor.id) throw new Invalid("You cannot remove yourself.");
  await db().transaction(async (tx) => {
    const removed = await tx
      .update(users)
      .set({ removedAt: new Date().toISOString(), passwordHash: null, feedToken: null })
      .where(and(eq(users.id, id), isNull(users.removedAt)))
      .returning({ id: users.id })
      .get();
    if (!removed) throw new NotFound("user", "No such user.");
    await tx.delete(sessions).where(eq(sessions.userId, id)).run();
    await tx.delete(passwordTokens).where(eq(passwordTokens.userId, id)).run();
    // Someone added again later chooses afresh whether to get the digest.
    await tx.delete(digestSubscriptions).where(eq(digestSubscriptions.userId, id)).run();
  });
}

/** A fresh one-time set-password link token; earlier unused links for the user stop working. */
export async function issuePasswordToken(actor: User, userId: number): Promise<string> {
  assertAdmin(actor);
  const { token, hash } = newToken();
  const expiresAt = new Date(Date.now() + PASSWORD_LINK_DAYS * 86_400_000).toISOString();
  await db().transaction(async (tx) => {
    await tx.delete(passwordTokens).where(and(eq(passwordTokens.userId, userId), isNull(passwordTokens.usedAt))).run();
    await tx.insert(passwordTokens).values({ userId, tokenHash: hash, expiresAt }).run();
  });
  return token;
}

export async function findPasswordToken(token: string): Promise<User | undefined> {
  const row = await db()
    .select({ ...publicColumns, expiresAt: passwordTokens.expiresAt })
    .from(passwordTokens)
    .innerJoin(users, eq(users.id, passwordTokens.userId))
    .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt), isNull(users.removedAt)))
    .get();
  if (!row || row.expiresAt < new Date().toISOString()) return undefined;
  const { expiresAt: _expires, ...user } = row;
  return user;
}

/** Uses a set-password link once; ends every other session of the account. */
export async function setPasswordWithToken(token: string, password: string): Promise<User> {
  return await db().transaction(async (tx) => {
    const user = await findPasswordToken(token);
    if (!user) throw new NotFound("password link", "This link has expired or was already used. Ask an admin for a new one.");
    await tx.update(users).set({ passwordHash: hashPassword(password) }).where(eq(users.id, user.id)).run();
    await tx.update(passwordTokens).set({ usedAt: new Date().toISOString() }).where(eq(passwordTokens.tokenHash, hashToken(token))).run();
    await tx.delete(sessions).where(eq(sessions.userId, user.id)).run();
    return user;
  });
}

// --- Sign-in throttling -----------------------------------------------------------------
// Why three counters, and who is spared which: docs/decisions/0001-sign-in-throttling.md.

/** Failures allowed before the wait starts: per account from one address, per address, per account. */
export const FREE_FAILURES = { pair: 5, address: 20, account: 100 } as const;
const FORGET_AFTER_MS = 60 * 60_000;
const MAX_WAIT_MS = 15 * 60_000;

/** How long to wait after `failures` failed sign-ins: nothing for the first `free`, then doubling. */
export function throttleDelayMs(failures: number, free: number): number {
  if (failures < free) return 0;
  return Math.min(MAX_WAIT_MS, 15_000 * 2 ** (failures - free));
}

type Counter = { key: string; free: number };

/** Where a sign-in comes from: the client's address, and whether this browser signed in to the account before. */
export type SignInSource = { address: string; knownDevice?: boolean };

function throttleCounters(email: string, { address, knownDevice = false }: SignInSource) {
  const account = normalizeEmail(email);
  // An address never contains "|", so the pair's key cannot be read two ways.
  const pair = { key: `pair:${address}|${account}`, free: FREE_FAILURES.pair };
  const recorded: Counter[] = [pair, { key: `address:${address}`, free: FREE_FAILURES.address }, { key: `account:${account}`, free: FREE_FAILURES.account }];
  // A known device is spared the account's ceiling, which strangers' failures raise; not its own pair's.
  const checked = knownDevice ? recorded.slice(0, 2) : recorded;
  return { pair, recorded, checked };
}

async function retryAfterMs(counters: Counter[], now: Date): Promise<number> {
  let wait = 0;
  for (const { key, free } of counters) {
    const row = await db().select().from(signInFailures).where(eq(signInFailures.key, key)).get();
    if (!row) continue;
    const last = Date.parse(row.lastFailureAt);
    if (now.getTime() - last > FORGET_AFTER_MS) continue;
    wait = Math.max(wait, last + throttleDelayMs(row.failures, free) - now.getTime());
  }
  return wait;
}

async function recordFailure(counters: Counter[], now: Date): Promise<void> {
  const at = now.toISOString();
  const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS).toISOString();
  await db().transaction(async (tx) => {
    await tx.delete(signInFailures).where(lt(signInFailures.lastFailureAt, forgetBefore)).run();
    for (const { key } of counters) {
      await tx.insert(signInFailures)
        .values({ key, failures: 1, lastFailureAt: at })
        .onConflictDoUpdate({
          target: signInFailures.key,
          set: { failures: sql`${signInFailures.failures} + 1`, lastFailureAt: at },
        })
        .run();
    }
  });
}

export type SignInResult =
  | { ok: true; user: User }
  | { ok: false; reason: "invalid" }
  | { ok: false; reason: "throttled"; retryAfterSeconds: number };

export async function signIn(email: string, password: string, source: SignInSource, now = new Date()): Promise<SignInResult> {
  const { pair, recorded, checked } = throttleCounters(email, source);
  // One sign-in at a time, from the counters read to the failure counted: guesses sent all at
  // once must not all pass the check before any of them is counted.
  return await db().transaction(async (): Promise<SignInResult> => {
    const wait = await retryAfterMs(checked, now);
    if (wait > 0) return { ok: false, reason: "throttled", retryAfterSeconds: Math.ceil(wait / 1000) };
    const row = await db()
      .select({ ...publicColumns, passwordHash: users.passwordHash })
      .from(users)
      .where(and(eq(users.email, normalizeEmail(email)), isNull(users.removedAt)))
      .get();
    if (!verifyPassword(password, row?.passwordHash ?? null) || !row) {
      await recordFailure(recorded, now);
      return { ok: false, reason: "invalid" };
    }
    // Only this address's own mistakes are forgiven: the address's count and the account's
    // ceiling go on slowing whoever else is guessing.
    await db().delete(signInFailures).where(eq(signInFailures.key, pair.key)).run();
    const { passwordHash: _hash, ...user } = row;
    return { ok: true, user };
  });
}

/** The account's id for an email, to tell whether this browser signed in to it before. */
export async function accountIdFor(email: string): Promise<number | undefined> {
  const account = await db()
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.email, normalizeEmail(email)), isNull(users.removedAt)))
    .get();
  return account?.id;
}

// --- Sessions ---------------------------------------------------------------------------

/** Signed in at once on at most this many browsers: a new sign-in ends the oldest beyond it. */
export const SESSIONS_PER_PERSON = 20;

export async function createSession(userId: number): Promise<string> {
  const { token } = newToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString();
  await db().transaction(async (tx) => {
    await tx.insert(sessions).values({ id: hashToken(token), userId, expiresAt, createdAt: now.toISOString() }).run();
    // Signing in again and again must not grow the table: expired sessions go, and the oldest beyond the limit.
    const kept = tx
      .select({ id: sessions.id })
      .from(sessions)
      .where(and(eq(sessions.userId, userId), sql`${sessions.expiresAt} > ${now.toISOString()}`))
      .orderBy(desc(sessions.createdAt), laterInsertedFirst)
      .limit(SESSIONS_PER_PERSON);
    await tx.delete(sessions).where(and(eq(sessions.userId, userId), notInArray(sessions.id, kept))).run();
  });
  return token;
}

const sessionUser = prepared((d) =>
  d
    .select(publicColumns)
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sql.placeholder("id")), isNull(users.removedAt), sql`${sessions.expiresAt} > ${sql.placeholder("now")}`))
    .prepare(),
);

export async function userForSession(token: string): Promise<User | undefined> {
  return await sessionUser().get({ id: hashToken(token), now: new Date().toISOString() });
}

export async function endSession(token: string): Promise<void> {
  await db().delete(sessions).where(eq(sessions.id, hashToken(token))).run();
}
