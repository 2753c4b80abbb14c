// Sign-in throttling (docs/decisions/0001-sign-in-throttling.md): per account and address, per
// address, and a ceiling per account that a browser which signed in to it before is spared.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { createUser } from "../../db/factories";
import { FREE_FAILURES, signIn, throttleDelayMs } from "~/models/user.server";
import { freshDatabase } from "./helpers";

// The throttle is the subject here, not the hashing (tested in user.test.ts): a cheap stand-in
// keeps the hundred-odd sign-ins below fast.
vi.mock("~/lib/password.server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("~/lib/password.server")>()),
  hashPassword: (password: string) => `plain$${password}`,
  verifyPassword: (password: string, stored: string | null) => stored === `plain$${password}`,
}));

beforeEach(async () => {
  await freshDatabase();
});

const PASSWORD = "correct horse battery";
const OWNER = "owner@example.com";
const t0 = new Date("2026-11-23T10:00:00Z");
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const attacker = { address: "203.0.113.66" };

describe("sign-in throttling", () => {
  it("lets a few mistakes through, then doubles the wait", () => {
    expect([0, 4, 5, 6, 7].map((n) => throttleDelayMs(n, 5))).toEqual([0, 0, 15_000, 30_000, 60_000]);
    expect(throttleDelayMs(40, 5)).toBe(15 * 60_000);
    expect(throttleDelayMs(19, 20)).toBe(0);
    expect(FREE_FAILURES).toEqual({ pair: 5, address: 20, account: 100 });
  });

  it("slows down guessing one account from one address, even with the right password, known device or not", async () => {
    await createUser({ email: OWNER, password: PASSWORD });
    for (let i = 0; i < 5; i++) expect(await signIn(OWNER, `guess-${i}`, { ...attacker, knownDevice: true }, t0)).toEqual({ ok: false, reason: "invalid" });
    expect(await signIn(OWNER, PASSWORD, { ...attacker, knownDevice: true }, at(1))).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 14 });
    expect(await signIn(OWNER, PASSWORD, attacker, at(1))).toMatchObject({ reason: "throttled" });
    expect((await signIn(OWNER, PASSWORD, attacker, at(16))).ok).toBe(true);
  });

  it("counts guesses sent all at once as if they came one after another", async () => {
    await createUser({ email: OWNER, password: PASSWORD });
    const guesses = await Promise.all(Array.from({ length: 10 }, (_, i) => signIn(OWNER, `guess-${i}`, attacker, t0)));
    expect(guesses.filter((r) => !r.ok && r.reason === "invalid")).toHaveLength(5);
    expect(guesses.filter((r) => !r.ok && r.reason === "throttled")).toHaveLength(5);
  });

  it("does not refuse the owner elsewhere because someone failed from another address", async () => {
    await createUser({ email: OWNER, password: PASSWORD });
    for (let i = 0; i < 12; i++) await signIn(OWNER, `guess-${i}`, attacker, t0);
    expect(await signIn(OWNER, PASSWORD, attacker, at(1))).toMatchObject({ reason: "throttled" });
    expect((await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(1))).ok).toBe(true);
    expect((await signIn(OWNER, PASSWORD, { address: "198.51.100.8", knownDevice: true }, at(1))).ok).toBe(true);
  });

  it("forgets one's own mistakes after signing in, but not the address's", async () => {
    await createUser({ email: OWNER, password: PASSWORD });
    for (let i = 0; i < 4; i++) await signIn(OWNER, `typo-${i}`, attacker, t0);
    expect((await signIn(OWNER, PASSWORD, attacker, t0)).ok).toBe(true);
    for (let i = 0; i < 4; i++) await signIn(OWNER, `typo-again-${i}`, attacker, t0);
    expect((await signIn(OWNER, PASSWORD, attacker, t0)).ok).toBe(true);
  });

  it("slows down an address that tries many accounts, allowing more for a shared office address", async () => {
    await createUser({ email: "someone@example.com", password: PASSWORD });
    const office = { address: "203.0.113.5" };
    for (let i = 0; i < 19; i++) await signIn(`guess${i}@example.com`, "guess", office, t0);
    expect((await signIn("someone@example.com", PASSWORD, office, t0)).ok).toBe(true);
    await signIn("guess19@example.com", "guess", office, t0);
    expect(await signIn("someone@example.com", PASSWORD, office, t0)).toMatchObject({ reason: "throttled" });
    expect(await signIn("someone@example.com", PASSWORD, { ...office, knownDevice: true }, t0)).toMatchObject({ reason: "throttled" });
    expect((await signIn("someone@example.com", PASSWORD, { address: "198.51.100.1" }, t0)).ok).toBe(true);
  });

  it("slows down guessing one account from many addresses, except on a browser that signed in to it before", async () => {
    await createUser({ email: OWNER, password: PASSWORD });
    for (let i = 0; i < 100; i++) {
      expect((await signIn(OWNER, "guess", { address: `10.0.${Math.floor(i / 4)}.${i % 4}` }, t0)).ok).toBe(false);
    }
    expect(await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(1))).toEqual({ ok: false, reason: "throttled", retryAfterSeconds: 14 });
    expect((await signIn(OWNER, PASSWORD, { address: "198.51.100.7", knownDevice: true }, at(1))).ok).toBe(true);
    // A success does not reset the ceiling: the guessing it slows down goes on.
    expect(await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(2))).toMatchObject({ reason: "throttled" });
    expect((await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(16))).ok).toBe(true);
    // An hour without a failure, and the account is forgotten.
    await signIn(OWNER, "guess", { address: "10.9.9.9" }, at(17));
    expect(await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(18))).toMatchObject({ reason: "throttled" });
    expect((await signIn(OWNER, PASSWORD, { address: "198.51.100.7" }, at(17 + 3601))).ok).toBe(true);
  });
});
