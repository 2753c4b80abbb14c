import { and, asc, eq, isNull } from "drizzle-orm";
import { db, schema } from "~/lib/db.server";
import { env, sessionSecret } from "~/lib/env.server";
import { signedToken, verifySignedToken } from "~/lib/password.server";
import type { User } from "./user.server";

// People subscribe to the digest themselves and get it at their own address, with a link that
// unsubscribes them and nobody else. List addresses (DIGEST_TO, the settings) are the company's
// mailing lists: readers leave them through the list's owner, never through Hindsight.

const { digestSubscriptions, users } = schema;

const UNSUBSCRIBE = "digest-unsubscribe";

export async function isSubscribed(user: Pick<User, "id">): Promise<boolean> {
  return Boolean(await db().select({ id: digestSubscriptions.userId }).from(digestSubscriptions).where(eq(digestSubscriptions.userId, user.id)).get());
}

/** The signed-in person asks for the digest at their own address. */
export async function subscribe(user: Pick<User, "id">): Promise<void> {
  await db().insert(digestSubscriptions).values({ userId: user.id }).onConflictDoNothing().run();
}

export async function unsubscribe(user: Pick<User, "id">): Promise<void> {
  await db().delete(digestSubscriptions).where(eq(digestSubscriptions.userId, user.id)).run();
}

export type Subscriber = Pick<User, "id" | "email" | "name" | "role">;

/** Everyone who gets the digest at their own address; removed people never do. */
export async function listSubscribers(): Promise<Subscriber[]> {
  return await db()
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(digestSubscriptions)
    .innerJoin(users, eq(users.id, digestSubscriptions.userId))
    .where(isNull(users.removedAt))
    .orderBy(asc(users.id))
    .all();
}

/** The one-click unsubscribe link of a subscriber's digests (RFC 8058): no sign-in needed. */
export function unsubscribeUrl(userId: number): string {
  return `${env().APP_URL}/unsubscribe/${signedToken(UNSUBSCRIBE, userId, sessionSecret())}`;
}

/** The page for readers of a list address: how to leave the list, which Hindsight does not own. */
export function listInfoUrl(): string {
  return `${env().APP_URL}/digest/mailing-list`;
}

export type UnsubscribeLink = { valid: false } | { valid: true; email: string; subscribed: boolean };

/** What an unsubscribe link stands for; a forged, mangled or stale one (its person removed) is not valid. */
export async function readUnsubscribeToken(token: string): Promise<UnsubscribeLink> {
  const userId = verifySignedToken(UNSUBSCRIBE, token, sessionSecret());
  if (userId === null) return { valid: false };
  const user = await db().select({ id: users.id, email: users.email }).from(users).where(and(eq(users.id, userId), isNull(users.removedAt))).get();
  if (!user) return { valid: false };
  return { valid: true, email: user.email, subscribed: await isSubscribed(user) };
}

/** The one-click unsubscribe: ends the subscription the link names. Doing it twice is harmless. */
export async function unsubscribeWithToken(token: string): Promise<UnsubscribeLink> {
  const link = await readUnsubscribeToken(token);
  if (!link.valid) return link;
  const userId = verifySignedToken(UNSUBSCRIBE, token, sessionSecret())!;
  await unsubscribe({ id: userId });
  return { ...link, subscribed: false };
}
