import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { createUser, userByEmail } from "../../db/factories";
import { safeRedirect } from "~/lib/http.server";
import { db, schema } from "~/lib/db.server";
import { hashPassword, verifyPassword } from "~/lib/password.server";
import { startSession } from "~/lib/session.server";
import { DomainError, Forbidden, NotFound, StateConflict } from "~/models/errors";
import {
  addUser,
  createFirstAdmin,
  createSession,
  SESSIONS_PER_PERSON,
  endSession,
  getProfile,
  removeUser,
  signIn,
  userForSession,
  type User,
} from "~/models/user.server";
import { feedTokenFor, userForFeedToken } from "~/models/publication.server";
import { addAndInvite, findPasswordLink, setPasswordWithLink } from "~/models/account-links.server";
import { freshDatabase } from "./helpers";

beforeEach(async () => {
  await freshDatabase();
});

const PASSWORD = "correct horse battery";
const ORIGIN = { method: "password", userAgent: "", address: "127.0.0.1" } as const;

describe("passwords", () => {
  it("are hashed with scrypt and a salt, and verified", () => {
    const hash = hashPassword(PASSWORD);
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toContain(PASSWORD);
    expect(hashPassword(PASSWORD)).not.toBe(hash);
    expect(verifyPassword(PASSWORD, hash)).toBe(true);
    expect(verifyPassword("wrong password", hash)).toBe(false);
    expect(verifyPassword(PASSWORD, null)).toBe(false);
  });
});

describe("first run", () => {
  it("makes the first account an admin, and only once", async () => {
    const admin = await createFirstAdmin({ name: "Avery", email: " Avery@Example.com ", team: "SRE", password: PASSWORD });
    expect(admin).toMatchObject({ role: "admin", email: "avery@example.com" });
    await expect(createFirstAdmin({ name: "Eve", email: "eve@example.com", team: "", password: PASSWORD })).rejects.toThrow(StateConflict);
  });
});

describe("adding people", () => {
  it("gives a one-time link that sets the password and works once", async () => {
    const admin = await createUser({ role: "admin" });
    const { user, url } = await addAndInvite(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    const token = url.split("/").pop()!;
    expect((await findPasswordLink(token))?.id).toBe(user.id);
    expect(await signIn("blake@example.com", PASSWORD, { address: "10.0.0.1" })).toEqual({ ok: false, reason: "invalid" });
    await setPasswordWithLink(token, PASSWORD);
    expect(await findPasswordLink(token)).toBeUndefined();
    await expect(setPasswordWithLink(token, "another password")).rejects.toThrow(NotFound);
    expect(await signIn("blake@example.com", PASSWORD, { address: "10.0.0.1" })).toMatchObject({ ok: true, user: { name: "Blake" } });
  });

  it("is for admins only, and refuses a duplicate email", async () => {
    const member = await createUser();
    const admin = await createUser({ role: "admin" });
    await expect(addUser(member, { name: "X", email: "x@example.com", team: "", role: "member" })).rejects.toThrow(Forbidden);
    await addUser(admin, { name: "X", email: "x@example.com", team: "", role: "member" });
    let error: unknown;
    try {
      await addUser(admin, { name: "X again", email: "X@example.com", team: "", role: "member" });
    } catch (e) {
      error = e;
    }
    expect((error as DomainError).field).toBe("email");
  });
});

describe("the profile", () => {
  it("says whose account is linked to the identity provider: the person's own identity, not one whose id happens to be theirs", async () => {
    const [first, second, third] = [await createUser(), await createUser(), await createUser()];
    // The only identity, numbered 1, belongs to the third person.
    await db().insert(schema.identities).values({ userId: third.id, issuer: "https://idp.example.com", subject: "sub-3", createdAt: "2026-12-01T00:00:00.000Z", lastSignInAt: "2026-12-01T00:00:00.000Z" }).run();
    expect(first.id).toBe(1);
    expect((await getProfile(first)).providerLinked).toBe(false);
    expect((await getProfile(second)).providerLinked).toBe(false);
    expect((await getProfile(third)).providerLinked).toBe(true);
  });
});

describe("sessions", () => {
  it("end at sign-out", async () => {
    const user = await createUser({ password: PASSWORD });
    const token = await createSession(user.id, ORIGIN);
    expect((await userForSession(token))?.id).toBe(user.id);
    await endSession(token);
    expect(await userForSession(token)).toBeUndefined();
  });

  it("end when the user is removed, who can then no longer sign in", async () => {
    const admin = await createUser({ role: "admin" });
    const user = await createUser({ password: PASSWORD, email: "leaver@example.com" });
    const token = await createSession(user.id, ORIGIN);
    await removeUser(admin, user.id);
    expect(await userForSession(token)).toBeUndefined();
    expect((await signIn("leaver@example.com", PASSWORD, { address: "10.0.0.1" })).ok).toBe(false);
  });

  it("are not made when the redirect after signing in cannot be sent", async () => {
    const user = await createUser({ password: PASSWORD });
    await expect(startSession(new Request("http://localhost/signin"), user.id, ORIGIN, "/incidents\r\nSet-Cookie: x=y")).rejects.toThrow();
    expect(await db().select().from(schema.sessions).all()).toEqual([]);
    const started = await startSession(new Request("http://localhost/signin"), user.id, ORIGIN, "/incidents");
    expect(started.headers.get("Location")).toBe("/incidents");
    expect(await db().select().from(schema.sessions).all()).toHaveLength(1);
  });

  it("are kept for at most a few browsers a person: signing in again and again ends the oldest, and expired ones go", async () => {
    const user = await createUser();
    const other = await createUser();
    const theirs = await createSession(other.id, ORIGIN);
    await db().insert(schema.sessions).values({ id: "expired", userId: user.id, expiresAt: "2020-01-01T00:00:00.000Z" }).run();
    const tokens: string[] = [];
    for (let i = 0; i < SESSIONS_PER_PERSON + 5; i++) tokens.push(await createSession(user.id, ORIGIN));
    const stored = await db().select().from(schema.sessions).where(eq(schema.sessions.userId, user.id)).all();
    expect(stored).toHaveLength(SESSIONS_PER_PERSON);
    const sessionUsers: (User | undefined)[] = [];
    for (const t of tokens) sessionUsers.push(await userForSession(t));
    expect(sessionUsers.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(sessionUsers.slice(5).every((u) => u?.id === user.id)).toBe(true);
    expect((await userForSession(theirs))?.id).toBe(other.id);
  });

  it("are looked up by a token that is not stored as such", async () => {
    const user = await createUser();
    const token = await createSession(user.id, ORIGIN);
    expect(await userForSession(`${token}x`)).toBeUndefined();
  });
});

describe("removing a person", () => {
  it("revokes every way in: sessions, set-password links and the feed link, none coming back when they are added again", async () => {
    const admin = await createUser({ role: "admin" });
    const { user, url } = await addAndInvite(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    const link = url.split("/").pop()!;
    const session = await createSession(user.id, ORIGIN);
    const feed = await feedTokenFor(user.id);
    expect((await userForFeedToken(feed))?.id).toBe(user.id);

    await removeUser(admin, user.id);
    expect(await userForSession(session)).toBeUndefined();
    expect(await findPasswordLink(link)).toBeUndefined();
    expect(await userForFeedToken(feed)).toBeUndefined();
    expect((await userByEmail("blake@example.com"))?.feedToken).toBeNull();

    const { user: again, url: newUrl } = await addAndInvite(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    expect(again.id).toBe(user.id);
    expect(await userForSession(session)).toBeUndefined();
    expect(await findPasswordLink(link)).toBeUndefined();
    expect((await findPasswordLink(newUrl.split("/").pop()!))?.id).toBe(user.id);
    expect(await userForFeedToken(feed)).toBeUndefined();
    expect(await feedTokenFor(again.id)).not.toBe(feed);
  });
});

describe("redirects after sign-in", () => {
  it("keep a local path, with its query and fragment", () => {
    expect(safeRedirect("/incidents/INC-1")).toBe("/incidents/INC-1");
    expect(safeRedirect("/actions?status=open#list")).toBe("/actions?status=open#list");
    expect(safeRedirect(null, "/incidents")).toBe("/incidents");
  });

  it("never leave this site, however the address is disguised", () => {
    const hostile = [
      "https://evil.example",
      "http:/evil.example",
      "//evil.example",
      "/\\evil.example",
      "\\/evil.example",
      "\\\\evil.example",
      "/\t/evil.example/",
      "/\n/evil.example/",
      "/\r\n/evil.example/",
      "\t//evil.example",
      " //evil.example",
      "/\t\\evil.example",
      "/./\t/evil.example",
      "/.//evil.example",
      "/..//evil.example",
      "/a/../..//evil.example",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "\tjavascript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "",
      null,
      undefined,
    ];
    for (const bad of hostile) {
      const to = safeRedirect(bad);
      expect(to, JSON.stringify(bad)).toBe("/");
    }
  });

  it("send percent-encoded slashes and control characters as a path on this site", () => {
    for (const encoded of ["/%2F%2Fevil.example", "/%5C%5Cevil.example", "/%09/evil.example/", "/%0D%0ALocation:%20https://evil.example"]) {
      const to = safeRedirect(encoded);
      expect(new URL(to, "https://hindsight.example.com").origin, encoded).toBe("https://hindsight.example.com");
      expect(to, encoded).toBe(encoded);
    }
  });

  it("leave out control characters, so the Location header can always be sent", () => {
    expect(safeRedirect("/incidents\r\nSet-Cookie: x=y")).toBe("/incidentsSet-Cookie:%20x=y");
    expect(safeRedirect("/inci\u0000dents\u0000")).toBe("/inci%00dents");
  });
});
