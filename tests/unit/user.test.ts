import { beforeEach, describe, expect, it } from "vitest";
import { createUser, userByEmail } from "../../db/factories";
import { HttpError, safeRedirect } from "~/lib/http.server";
import { hashPassword, verifyPassword } from "~/lib/password.server";
import {
  addUser,
  createFirstAdmin,
  createSession,
  endSession,
  findPasswordToken,
  removeUser,
  setPasswordWithToken,
  signIn,
  throttleDelayMs,
  userForSession,
} from "~/models/user.server";
import { feedTokenFor, userForFeedToken } from "~/models/publication.server";
import { freshDatabase } from "./helpers";

beforeEach(() => {
  freshDatabase();
});

const PASSWORD = "correct horse battery";

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
  it("makes the first account an admin, and only once", () => {
    const admin = createFirstAdmin({ name: "Avery", email: " Avery@Example.com ", team: "SRE", password: PASSWORD });
    expect(admin).toMatchObject({ role: "admin", email: "avery@example.com" });
    expect(() => createFirstAdmin({ name: "Eve", email: "eve@example.com", team: "", password: PASSWORD })).toThrow(HttpError);
  });
});

describe("adding people", () => {
  it("gives a one-time link that sets the password and works once", () => {
    const admin = createUser({ role: "admin" });
    const { user, token } = addUser(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    expect(findPasswordToken(token)?.id).toBe(user.id);
    expect(signIn("blake@example.com", PASSWORD, "10.0.0.1")).toEqual({ ok: false, reason: "invalid" });
    setPasswordWithToken(token, PASSWORD);
    expect(findPasswordToken(token)).toBeUndefined();
    expect(() => setPasswordWithToken(token, "another password")).toThrow(HttpError);
    expect(signIn("blake@example.com", PASSWORD, "10.0.0.1")).toMatchObject({ ok: true, user: { name: "Blake" } });
  });

  it("is for admins only, and refuses a duplicate email", () => {
    const member = createUser();
    const admin = createUser({ role: "admin" });
    expect(() => addUser(member, { name: "X", email: "x@example.com", team: "", role: "member" })).toThrow(HttpError);
    addUser(admin, { name: "X", email: "x@example.com", team: "", role: "member" });
    let error: unknown;
    try {
      addUser(admin, { name: "X again", email: "X@example.com", team: "", role: "member" });
    } catch (e) {
      error = e;
    }
    expect((error as HttpError).detail.field).toBe("email");
  });
});

describe("sessions", () => {
  it("end at sign-out", () => {
    const user = createUser({ password: PASSWORD });
    const token = createSession(user.id);
    expect(userForSession(token)?.id).toBe(user.id);
    endSession(token);
    expect(userForSession(token)).toBeUndefined();
  });

  it("end when the user is removed, who can then no longer sign in", () => {
    const admin = createUser({ role: "admin" });
    const user = createUser({ password: PASSWORD, email: "leaver@example.com" });
    const token = createSession(user.id);
    removeUser(admin, user.id);
    expect(userForSession(token)).toBeUndefined();
    expect(signIn("leaver@example.com", PASSWORD, "10.0.0.1").ok).toBe(false);
  });

  it("are looked up by a token that is not stored as such", () => {
    const user = createUser();
    const token = createSession(user.id);
    expect(userForSession(`${token}x`)).toBeUndefined();
  });
});

describe("removing a person", () => {
  it("revokes every way in: sessions, set-password links and the feed link, none coming back when they are added again", () => {
    const admin = createUser({ role: "admin" });
    const { user, token: link } = addUser(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    const session = createSession(user.id);
    const feed = feedTokenFor(user.id);
    expect(userForFeedToken(feed)?.id).toBe(user.id);

    removeUser(admin, user.id);
    expect(userForSession(session)).toBeUndefined();
    expect(findPasswordToken(link)).toBeUndefined();
    expect(userForFeedToken(feed)).toBeUndefined();
    expect(userByEmail("blake@example.com")?.feedToken).toBeNull();

    const { user: again, token: newLink } = addUser(admin, { name: "Blake", email: "blake@example.com", team: "Web", role: "member" });
    expect(again.id).toBe(user.id);
    expect(userForSession(session)).toBeUndefined();
    expect(findPasswordToken(link)).toBeUndefined();
    expect(findPasswordToken(newLink)?.id).toBe(user.id);
    expect(userForFeedToken(feed)).toBeUndefined();
    expect(feedTokenFor(again.id)).not.toBe(feed);
  });
});

describe("sign-in throttling", () => {
  it("lets a few mistakes through, then doubles the wait", () => {
    expect([0, 4, 5, 6, 7].map((n) => throttleDelayMs(n))).toEqual([0, 0, 15_000, 30_000, 60_000]);
    expect(throttleDelayMs(40)).toBe(15 * 60_000);
    expect(throttleDelayMs(19, 20)).toBe(0);
  });

  it("slows down an account after repeated failures, even with the right password", () => {
    createUser({ email: "target@example.com", password: PASSWORD });
    const t0 = new Date("2026-11-23T10:00:00Z");
    for (let i = 0; i < 5; i++) {
      expect(signIn("target@example.com", "guess", `10.0.0.${i}`, t0).ok).toBe(false);
    }
    const blocked = signIn("target@example.com", PASSWORD, "10.9.9.9", new Date(t0.getTime() + 1000));
    expect(blocked).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 14 });
    const later = signIn("target@example.com", PASSWORD, "10.9.9.9", new Date(t0.getTime() + 16_000));
    expect(later.ok).toBe(true);
  });

  it("slows down an address that tries many accounts, allowing more for a shared office address", () => {
    createUser({ email: "someone@example.com", password: PASSWORD });
    const t0 = new Date("2026-11-23T10:00:00Z");
    for (let i = 0; i < 19; i++) signIn(`guess${i}@example.com`, "guess", "203.0.113.5", t0);
    expect(signIn("someone@example.com", PASSWORD, "203.0.113.5", t0).ok).toBe(true);
    signIn("guess19@example.com", "guess", "203.0.113.5", t0);
    expect(signIn("someone@example.com", PASSWORD, "203.0.113.5", t0)).toMatchObject({ reason: "throttled" });
    expect(signIn("someone@example.com", PASSWORD, "198.51.100.1", t0).ok).toBe(true);
  });
});

describe("redirects after sign-in", () => {
  it("stay on this site", () => {
    expect(safeRedirect("/incidents/INC-1")).toBe("/incidents/INC-1");
    for (const bad of ["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)", "", null]) {
      expect(safeRedirect(bad)).toBe("/");
    }
  });
});
