import crypto from "node:crypto";
import { renderToStaticMarkup } from "react-dom/server";
import { and, eq, isNull } from "drizzle-orm";
import { AccountEmail } from "~/components/email/account-email";
import { afterCommit, db, schema, type Tx } from "~/lib/db.server";
import { env } from "~/lib/env.server";
import { hashPassword, hashToken, newToken } from "~/lib/password.server";
import { assertAdmin } from "./authorization.server";
import { Forbidden, NotFound } from "./errors";
import { deliverSoon, enqueueEmail } from "./outbox.server";
import { passwordSignInFor, providerName } from "./sign-in-policy.server";
import { addUser, getUser, normalizeEmail, takeResetTurn, type Role, type SignInSource, type Turn, type User } from "./user.server";

// The links that let a person choose a password without signing in: an invitation an admin sends
// when adding them (days to use it), and a reset they ask for themselves (an hour). A person has
// at most one unused link: a new one replaces theirs, and nobody else's. Only the token's hash is
// stored; the link itself exists in the email and, for an invitation, once on the admin's screen.

const { users, passwordTokens, sessions } = schema;

export const INVITATION_DAYS = 7;
export const RESET_MINUTES = 60;
/** How long after its answer a reset's email is written: well after a page's few milliseconds. */
const RESET_WRITE_DELAY_MS = 150;

export type LinkPurpose = "invitation" | "reset";

function setPasswordUrl(token: string): string {
  return `${env().APP_URL}/set-password/${token}`;
}

async function issueLink(tx: Tx, userId: number, purpose: LinkPurpose, now: Date): Promise<string> {
  const { token, hash } = newToken();
  const lifetime = purpose === "invitation" ? INVITATION_DAYS * 86_400_000 : RESET_MINUTES * 60_000;
  await tx.delete(passwordTokens).where(and(eq(passwordTokens.userId, userId), isNull(passwordTokens.usedAt))).run();
  await tx.insert(passwordTokens).values({ userId, tokenHash: hash, purpose, expiresAt: new Date(now.getTime() + lifetime).toISOString() }).run();
  return token;
}

type Letter = { subject: string; lines: string[]; button: { label: string; url: string }; note: string };

/** Writes one email to the outbox in the caller's transaction, and has it sent once that commits. */
async function send(tx: Tx, kind: string, person: Pick<User, "email" | "name">, letter: Letter): Promise<void> {
  const text = [`Hello ${person.name},`, "", ...letter.lines.flatMap((l) => [l, ""]), `${letter.button.label}: ${letter.button.url}`, "", letter.note].join("\n");
  const html = `<!doctype html><html><body>${renderToStaticMarkup(<AccountEmail name={person.name} lines={letter.lines} button={letter.button} note={letter.note} />)}</body></html>`;
  // Each email is its own message: the key is never reused, so it is queued exactly once.
  await enqueueEmail({ key: `${kind}:${crypto.randomUUID()}`, kind, to: [person.email], subject: letter.subject, text, html }, tx);
  afterCommit(deliverSoon);
}

/** Where an invitation leads: a link to choose a password, or the sign-in page, for the provider. */
export type Invitation = { user: User; url: string; via: "password-link" | "provider" };

/** What an invitation says, and where it leads: to a password of their own, or to the provider's sign-in. */
async function invitation(tx: Tx, person: User, inviter: User, now: Date): Promise<{ url: string; via: Invitation["via"]; letter: Letter }> {
  const lines = [`${inviter.name} added you to Hindsight, where we write up incidents as blameless post-mortems and track what we change after them.`];
  if (!(await passwordSignInFor(person.role))) {
    const url = `${env().APP_URL}/signin`;
    const name = await providerName();
    return { url, via: "provider", letter: { subject: "You have been added to Hindsight", lines: [...lines, `Sign in with ${name}, as for the company's other tools.`], button: { label: `Sign in with ${name}`, url }, note: "You need no password for Hindsight." } };
  }
  const url = setPasswordUrl(await issueLink(tx, person.id, "invitation", now));
  return {
    url,
    via: "password-link",
    letter: {
      subject: "Choose your Hindsight password",
      lines: [...lines, `Choose a password for ${person.email} to sign in.`],
      button: { label: "Choose your password", url },
      note: `The link works once, within ${INVITATION_DAYS} days. If you did not expect this email, you can ignore it.`,
    },
  };
}

/**
 * An admin adds a person and invites them by email, in one transaction: the account, its link
 * and the email are all stored or none is. The link is returned too, for an admin to copy when
 * no mail reaches the person.
 */
export async function addAndInvite(actor: User, input: { name: string; email: string; team: string; role: Role }, now = new Date()): Promise<Invitation> {
  assertAdmin(actor);
  return await db().transaction(async (tx) => {
    const user = await addUser(actor, input);
    const { url, via, letter } = await invitation(tx, user, actor, now);
    await send(tx, "invitation", user, letter);
    return { user, url, via };
  });
}

/** An admin invites a person again: a new link by email, replacing that person's unused one only. */
export async function reinvite(actor: User, userId: number, now = new Date()): Promise<Invitation> {
  assertAdmin(actor);
  return await db().transaction(async (tx) => {
    const user = await getUser(userId);
    if (!user) throw new NotFound("user", "No such user.");
    const { url, via, letter } = await invitation(tx, user, actor, now);
    await send(tx, "invitation", user, letter);
    return { user, url, via };
  });
}

export type ResetRequest =
  | {
      ok: true;
      /**
       * The email being written, after the answer: the answer must not wait for it, or how long
       * it takes would tell whether the address has an account. Callers that need it sent await it.
       */
      queued: Promise<void>;
    }
  | { ok: false; retryAfterSeconds: number };

/**
 * Someone asks for a password reset for an email address. The answer is the same, and as quick,
 * whether an account has that address or not (only the email differs, and it goes to the
 * account's owner); the link works once, within an hour. Throttled per address and per account.
 */
export async function requestPasswordReset(email: string, source: SignInSource, now = new Date()): Promise<ResetRequest> {
  const turn: Turn = await takeResetTurn(email, source, now);
  if (!turn.ok) return turn;
  // Written a moment later, once the answer has gone: while the answer is still being rendered,
  // the work would slow it for addresses with an account.
  const queued = new Promise<void>((resolve) => setTimeout(resolve, RESET_WRITE_DELAY_MS)).then(() => writeResetEmail(email, now));
  // Nobody awaits it in a request: a failure is logged, and the person can ask again.
  queued.catch((error: unknown) => console.error("Writing a password reset email failed:", error));
  return { ok: true, queued };
}

async function writeResetEmail(email: string, now: Date): Promise<void> {
  await db().transaction(async (tx) => {
    const person = await tx
      .select({ id: users.id, email: users.email, name: users.name, team: users.team, role: users.role })
      .from(users)
      .where(and(eq(users.email, normalizeEmail(email)), isNull(users.removedAt)))
      .get();
    if (!person) return;
    if (!(await passwordSignInFor(person.role))) {
      const name = await providerName();
      const url = `${env().APP_URL}/signin`;
      await send(tx, "reset", person, {
        subject: "Signing in to Hindsight",
        lines: ["Someone asked to reset the Hindsight password of this address.", `Hindsight signs you in with ${name}: there is no Hindsight password to reset. If you cannot sign in there, ask your IT team.`],
        button: { label: `Sign in with ${name}`, url },
        note: "If you did not ask, you can ignore this email.",
      });
      return;
    }
    const url = setPasswordUrl(await issueLink(tx, person.id, "reset", now));
    await send(tx, "reset", person, {
      subject: "Reset your Hindsight password",
      lines: ["Someone asked to reset the Hindsight password of this address. Choose a new password with this link; it ends your other sessions."],
      button: { label: "Choose a new password", url },
      note: `The link works once, within ${RESET_MINUTES} minutes. If you did not ask, ignore this email: your password stays as it is.`,
    });
  });
}

/** The person a set-password link is for, while it is unused and unexpired, and what it was sent as. */
export async function findPasswordLink(token: string, now = new Date()): Promise<(User & { purpose: LinkPurpose }) | undefined> {
  const row = await db()
    .select({ id: users.id, email: users.email, name: users.name, team: users.team, role: users.role, purpose: passwordTokens.purpose, expiresAt: passwordTokens.expiresAt })
    .from(passwordTokens)
    .innerJoin(users, eq(users.id, passwordTokens.userId))
    .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt), isNull(users.removedAt)))
    .get();
  if (!row || row.expiresAt <= now.toISOString()) return undefined;
  const { expiresAt: _expires, ...person } = row;
  return person;
}

/** Uses a set-password link once; every session of the account ends (the caller starts a new one). */
export async function setPasswordWithLink(token: string, password: string, now = new Date()): Promise<User> {
  return await db().transaction(async (tx) => {
    const person = await findPasswordLink(token, now);
    if (!person) throw new NotFound("password link", "This link has expired or was already used. Ask for a new one.");
    // A link sent before passwords were turned off for members does not become a way around the provider.
    if (!(await passwordSignInFor(person.role))) throw new Forbidden(`Password sign-in is turned off for members: sign in with ${await providerName()} instead.`);
    const used = await tx
      .update(passwordTokens)
      .set({ usedAt: now.toISOString() })
      .where(and(eq(passwordTokens.tokenHash, hashToken(token)), isNull(passwordTokens.usedAt)))
      .returning({ id: passwordTokens.id })
      .get();
    if (!used) throw new NotFound("password link", "This link has expired or was already used. Ask for a new one.");
    await tx.update(users).set({ passwordHash: hashPassword(password) }).where(eq(users.id, person.id)).run();
    await tx.delete(sessions).where(eq(sessions.userId, person.id)).run();
    const { purpose: _purpose, ...user } = person;
    return user;
  });
}
