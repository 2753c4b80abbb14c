import crypto from "node:crypto";

const KEY_LENGTH = 64;
const COST = { N: 16384, r: 8, p: 1 };

export function hashPassword(password: string): string {
  const salt = crypto.randomBytes(16);
  const key = crypto.scryptSync(password, salt, KEY_LENGTH, COST);
  return ["scrypt", COST.N, COST.r, COST.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export function verifyPassword(password: string, stored: string | null): boolean {
  // Without a stored hash, still spend the same time so the answer does not reveal whether
  // the account exists.
  const parts = (stored ?? DUMMY_HASH).split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [, N, r, p, salt, key] = parts;
  const expected = Buffer.from(key, "base64");
  const actual = crypto.scryptSync(password, Buffer.from(salt, "base64"), expected.length, {
    N: Number(N),
    r: Number(r),
    p: Number(p),
  });
  return stored !== null && crypto.timingSafeEqual(actual, expected);
}

const DUMMY_HASH = hashPassword(crypto.randomBytes(16).toString("hex"));

/** A random URL-safe token and the hash we store of it (the token itself is never stored). */
export function newToken(): { token: string; hash: string } {
  const token = crypto.randomBytes(24).toString("base64url");
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token).digest("hex");
}

/**
 * A token naming `subject` for one `purpose`, signed with the server's secret (HMAC-SHA256):
 * links that act without a sign-in (a one-click unsubscribe) carry it, and nobody without the
 * secret can make one for someone else. Nothing is stored; the purpose keeps a token made for
 * one thing from working for another.
 */
export function signedToken(purpose: string, subject: number, secret: string): string {
  return `${subject}.${crypto.createHmac("sha256", secret).update(`${purpose}:${subject}`).digest("base64url")}`;
}

/** The subject a signed token names, or null when it was not made by signedToken for this purpose. */
export function verifySignedToken(purpose: string, token: string, secret: string): number | null {
  const m = /^([1-9]\d{0,15})\.([\w-]{43})$/.exec(token);
  if (!m) return null;
  const subject = Number(m[1]);
  const expected = Buffer.from(signedToken(purpose, subject, secret));
  const given = Buffer.from(token);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given) ? subject : null;
}
