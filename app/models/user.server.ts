import { and, asc, count, desc, eq, exists, inArray, isNull, lt, ne, notInArray, or, sql } from "drizzle-orm";
import { db, prepared, schema, type Tx } from "~/lib/db.server";
import { hashPassword, hashToken, newToken, verifyPassword } from "~/lib/password.server";
import { Invalid, NotFound, StateConflict } from "./errors";
import type { Role } from "./authorization";
import { assertAdmin } from "./authorization.server";
import type { PreferencesPatch } from "./inputs";
import type { NotificationChoices } from "./notification";
import { isSubscribed, subscribe, unsubscribe } from "./subscription.server";
import { laterInsertedFirst } from "./sql/index.server";

export type { Role };
export type User = {
  id: number;
  email: string;
  name: string;
  team: string;
  role: Role;
};

const { users, sessions, passwordTokens, signInFailures, actions, digestSubscriptions, identities } = schema;

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

/** A person as the admins' People page shows them. */
export type Account = User & { hasPassword: boolean; createdAt: string };

/**
 * Everyone with an account, for an administrator: by name for the People page, or by id from
 * `afterId` on, `limit` at a time, for a list read page by page.
 */
export async function listAccounts(actor: User, page?: { afterId: number; limit: number }): Promise<Account[]> {
  assertAdmin(actor, "Only an administrator can manage people.");
  const query = db()
    .select({ ...publicColumns, hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean), createdAt: users.createdAt })
    .from(users);
  if (!page) return await query.where(isNull(users.removedAt)).orderBy(asc(users.name)).all();
  return await query
    .where(and(isNull(users.removedAt), sql`${users.id} > ${page.afterId}`))
    .orderBy(asc(users.id))
    .limit(page.limit)
    .all();
}

/** One person, for an administrator; not found once removed. */
export async function getAccount(actor: User, id: number): Promise<Account> {
  assertAdmin(actor, "Only an administrator can manage people.");
  const account = await db()
    .select({ ...publicColumns, hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean), createdAt: users.createdAt })
    .from(users)
    .where(and(eq(users.id, id), isNull(users.removedAt)))
    .get();
  if (!account) throw new NotFound("user", "No such user.");
  return account;
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
    // way in they had before: the feed link too is made anew, and a link to an identity
    // provider's account is forgotten (the address may now be someone else's there).
    await db().delete(identities).where(eq(identities.userId, existing.id)).run();
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

/** What the person's own profile page shows and changes. */
export type Profile = User & { hasPassword: boolean; reminderEmails: boolean; notifications: NotificationChoices; providerLinked: boolean };

export async function getProfile(user: Pick<User, "id">): Promise<Profile> {
  const row = await db()
    .select({
      ...publicColumns,
      hasPassword: sql<boolean>`${users.passwordHash} is not null`.mapWith(Boolean),
      reminderEmails: users.reminderEmails,
      roles: users.notifyRoles,
      assigned: users.notifyAssigned,
      lifecycle: users.notifyLifecycle,
      reassigned: users.notifyReassigned,
      // Qualified by hand: in a one-table select drizzle writes columns unqualified, and "id" inside
      // the subquery would be the identity's own id, not the person's.
      providerLinked: sql<boolean>`exists (select 1 from identities i where i.user_id = users.id)`.mapWith(Boolean),
    })
    .from(users)
    .where(and(eq(users.id, user.id), isNull(users.removedAt)))
    .get();
  if (!row) throw new NotFound("user", "No such user.");
  const { roles, assigned, lifecycle, reassigned, ...profile } = row;
  return { ...profile, notifications: { roles, assigned, lifecycle, reassigned } };
}

/** The person changes their own name and team (their email and role are the admins' to change). */
export async function updateProfile(user: Pick<User, "id">, input: { name: string; team: string }): Promise<User> {
  const updated = await db().update(users).set(input).where(and(eq(users.id, user.id), isNull(users.removedAt))).returning(publicColumns).get();
  if (!updated) throw new NotFound("user", "No such user.");
  return updated;
}

/**
 * Ends the sessions members began with a password or an emailed link: once passwords are off for
 * members, nobody stays signed in by one. Returns how many ended.
 */
export async function endMembersPasswordSessions(): Promise<number> {
  const members = db().select({ id: users.id }).from(users).where(eq(users.role, "member"));
  const ended = await db()
    .delete(sessions)
    .where(and(inArray(sessions.method, ["password", "link"]), inArray(sessions.userId, members)))
    .returning({ id: sessions.id })
    .all();
  return ended.length;
}

/** Which emails about what concerns them the person takes (notification.server.tsx sends them). */
export async function setNotificationChoices(user: Pick<User, "id">, choices: NotificationChoices): Promise<void> {
  await db()
    .update(users)
    .set({ notifyRoles: choices.roles, notifyAssigned: choices.assigned, notifyLifecycle: choices.lifecycle, notifyReassigned: choices.reassigned })
    .where(eq(users.id, user.id))
    .run();
}

/** Whether the daily reminder of the person's own actions is emailed to them. */
export async function setReminderEmails(user: Pick<User, "id">, on: boolean): Promise<void> {
  await db().update(users).set({ reminderEmails: on }).where(eq(users.id, user.id)).run();
}

/** The emails a person chose to get: reminders, the digest at their own address, and the notifications. */
export type Preferences = { reminderEmails: boolean; digest: boolean; notifications: NotificationChoices };

export async function getPreferences(user: Pick<User, "id">): Promise<Preferences> {
  const { reminderEmails, notifications } = await getProfile(user);
  return { reminderEmails, digest: await isSubscribed(user), notifications };
}

/**
 * The person changes some of their email choices (the profile's buttons each change one; the API
 * may send several): what is left out stays as it is, and the whole is saved at once.
 */
export async function setPreferences(user: Pick<User, "id">, change: PreferencesPatch): Promise<Preferences> {
  return await db().transaction(async () => {
    const stored = await getPreferences(user);
    if (change.reminderEmails !== undefined) await setReminderEmails(user, change.reminderEmails);
    if (change.digest === true) await subscribe(user);
    if (change.digest === false) await unsubscribe(user);
    if (change.notifications) await setNotificationChoices(user, { ...stored.notifications, ...definedOf(change.notifications) });
    return await getPreferences(user);
  });
}

/** The fields given a value: an optional field sent as undefined must not unset a stored one. */
function definedOf<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/**
 * The person changes their password, proving the current one (throttled as sign-ins are: a
 * session left open must not become a way to guess it). Every other session of theirs ends;
 * returns how many did.
 */
export async function changePassword(
  user: Pick<User, "id" | "email">,
  input: { current: string; next: string },
  source: SignInSource,
  currentToken: string,
): Promise<number> {
  const proof = await signIn(user.email, input.current, { ...source, knownDevice: true });
  if (!proof.ok && proof.reason === "throttled") throw new Invalid(`Too many wrong passwords. Wait ${proof.retryAfterSeconds} seconds, then try again.`, "current");
  if (!proof.ok || proof.user.id !== user.id) throw new Invalid("That is not your current password.", "current");
  return await db().transaction(async (tx) => {
    await tx.update(users).set({ passwordHash: hashPassword(input.next) }).where(eq(users.id, user.id)).run();
    return await endOtherSessions(user, currentToken, tx);
  });
}

/** The names, emails and teams of the people in the directory: the wording check looks for them. */
export async function directoryNames(): Promise<{ people: string[]; teams: string[] }> {
  const rows = await db().select({ name: users.name, email: users.email, team: users.team }).from(users).where(isNull(users.removedAt)).all();
  return { people: rows.flatMap((u) => [u.name, u.email]), teams: [...new Set(rows.map((u) => u.team.trim()).filter(Boolean))] };
}

/** A new account from the identity provider's sign-in (sso.server.ts decides who may have one). */
export async function addUserFromProvider(input: NewUser): Promise<User> {
  return await insertUser(input);
}

/** First run: the very first account becomes an admin. Refused once anyone exists. */
export async function createFirstAdmin(input: Omit<NewUser, "role"> & { password: string }): Promise<User> {
  return await db().transaction(async () => {
    if ((await countUsers()) > 0) throw new StateConflict("Hindsight already has an administrator. Sign in instead.");
    return await insertUser({ ...input, role: "admin", passwordHash: hashPassword(input.password) });
  });
}



/** An admin adds someone (account-links.server.ts invites them in the same transaction). */
export async function addUser(actor: User, input: NewUser): Promise<User> {
  assertAdmin(actor);
  return await insertUser(input);
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

/** Counts one more attempt on each counter (a failed sign-in, a reset asked for). */
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

/**
 * Password reset requests allowed before the wait starts (doubling, as for sign-ins), per
 * address and per account. Every request counts, for an address with an account or without, so
 * the wait says nothing about which addresses have one.
 */
export const FREE_RESET_REQUESTS = { address: 10, account: 3 } as const;

export type Turn = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Whether a password reset may be asked for this email from this address now; counts it when it may. */
export async function takeResetTurn(email: string, { address }: SignInSource, now = new Date()): Promise<Turn> {
  const counters: Counter[] = [
    { key: `reset-address:${address}`, free: FREE_RESET_REQUESTS.address },
    { key: `reset-account:${normalizeEmail(email)}`, free: FREE_RESET_REQUESTS.account },
  ];
  return await db().transaction(async (): Promise<Turn> => {
    const wait = await retryAfterMs(counters, now);
    if (wait > 0) return { ok: false, retryAfterSeconds: Math.ceil(wait / 1000) };
    await recordFailure(counters, now);
    return { ok: true };
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

/** How a session began and where: what the person's list of sessions shows. */
export type SessionOrigin = { method: "password" | "provider" | "link"; userAgent: string; address: string };

export async function createSession(userId: number, origin: SessionOrigin): Promise<string> {
  const { token } = newToken();
  const now = new Date();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString();
  const row = { id: hashToken(token), userId, expiresAt, createdAt: now.toISOString(), method: origin.method, userAgent: origin.userAgent.slice(0, 300), address: origin.address.slice(0, 64) };
  await db().transaction(async (tx) => {
    await tx.insert(sessions).values(row).run();
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

export type ActiveSession = SessionOrigin & {
  /** Names the session in a form: the first characters of the stored hash, never the token. */
  handle: string;
  createdAt: string;
  expiresAt: string;
  current: boolean;
};

/** The length of a session's handle: enough to tell one person's twenty sessions apart, far too little to be its token. */
const HANDLE_LENGTH = 16;

/** The person's sessions that have not expired, newest first, marking the one `currentToken` belongs to. */
export async function listSessions(user: Pick<User, "id">, currentToken: string): Promise<ActiveSession[]> {
  const current = hashToken(currentToken);
  const rows = await db()
    .select({ id: sessions.id, method: sessions.method, userAgent: sessions.userAgent, address: sessions.address, createdAt: sessions.createdAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(and(eq(sessions.userId, user.id), sql`${sessions.expiresAt} > ${new Date().toISOString()}`))
    .orderBy(desc(sessions.createdAt), laterInsertedFirst)
    .all();
  return rows.map(({ id, ...row }) => ({ ...row, handle: id.slice(0, HANDLE_LENGTH), current: id === current }));
}

/** Ends one of the person's own sessions, named by its handle; another person's is never touched. */
export async function endOwnSession(user: Pick<User, "id">, handle: string): Promise<boolean> {
  if (!/^[0-9a-f]{16}$/.test(handle)) return false;
  const ended = await db()
    .delete(sessions)
    .where(and(eq(sessions.userId, user.id), sql`substr(${sessions.id}, 1, ${HANDLE_LENGTH}) = ${handle}`))
    .returning({ id: sessions.id })
    .all();
  return ended.length > 0;
}

/** Ends every session of the person but the one `currentToken` belongs to. Returns how many ended. */
export async function endOtherSessions(user: Pick<User, "id">, currentToken: string, tx: Tx = db()): Promise<number> {
  const ended = await tx
    .delete(sessions)
    .where(and(eq(sessions.userId, user.id), ne(sessions.id, hashToken(currentToken))))
    .returning({ id: sessions.id })
    .all();
  return ended.length;
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

/** People with an account, by id from `afterId` on, `limit` at a time: whom an incident or an action can name. */
export async function listPeople(afterId: number, limit: number): Promise<{ id: number; name: string; team: string }[]> {
  return await db()
    .select({ id: users.id, name: users.name, team: users.team })
    .from(users)
    .where(and(isNull(users.removedAt), sql`${users.id} > ${afterId}`))
    .orderBy(asc(users.id))
    .limit(limit)
    .all();
}
