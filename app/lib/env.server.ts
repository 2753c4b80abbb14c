import fs from "node:fs";
import path from "node:path";
import crypto from "node:crypto";
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().positive().default(3000),
  DATABASE_PATH: z.string().min(1).default("./data/hindsight.db"),
  /**
   * A PostgreSQL database (postgres://user:password@host:5432/name) instead of the SQLite file:
   * for several instances on one database. SESSION_SECRET is then required, the same on each.
   */
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//i, "a postgres:// URL")
    .optional(),
  /** Connections each instance keeps open to PostgreSQL. */
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  SESSION_SECRET: z.string().min(16).optional(),
  APP_URL: z.string().url().optional(),
  SMTP_URL: z.string().optional(),
  /** The sender of every email. */
  MAIL_FROM: z.string().default("Hindsight <hindsight@localhost>"),
  /** "false" turns off the reminder schedule inside the server (e.g. when a cron job runs it). */
  SCHEDULER: z.enum(["true", "false"]).default("true"),
  DIGEST_TO: z.string().optional(),
  /**
   * Behind a TLS-terminating proxy: "true" (one proxy), a number of proxies, or their addresses
   * and subnets, comma-separated; server.js believes that many X-Forwarded-For hops. Anything but
   * "false" marks cookies Secure.
   */
  TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(true|false|\d+|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, "true, false, a number of proxies, or their addresses, comma-separated")
    .default("false"),
  /**
   * Changes one person may make to live sessions in any 10 seconds (then 429): a meeting's pace
   * many times over. Raised for scripted clients (the test suites that post every intent).
   */
  SESSION_WRITES_PER_10S: z.coerce.number().int().positive().default(40),
  /** The company's OpenID Connect provider (its issuer URL); unset, people sign in with passwords only. */
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  /** The scopes asked for; add the one that carries groups when admins come from a group. */
  OIDC_SCOPES: z.string().default("openid email profile"),
  /** The ID token (or userinfo) claim that lists the person's groups. */
  OIDC_GROUPS_CLAIM: z.string().min(1).default("groups"),
  /** The GitHub App that answers deployment protection rules (the deploy gate): its App id (or client id). */
  GITHUB_APP_ID: z.string().trim().min(1).optional(),
  /** The App's private key (PEM; "\n" may stand for line breaks), or a file that holds it. */
  GITHUB_APP_PRIVATE_KEY: z.string().min(1).optional(),
  GITHUB_APP_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** The secret GitHub signs the App's webhook deliveries with. */
  GITHUB_WEBHOOK_SECRET: z.string().min(1).optional(),
  /** GitHub's REST API; GitHub Enterprise Server: https://HOST/api/v3. Answers go only there. */
  GITHUB_API_URL: z.string().url().default("https://api.github.com"),
  /**
   * Seconds to wait after each failed webhook delivery, comma-separated (default: 5 s, 5 min,
   * 30 min, 2 h, 5 h, 10 h, 10 h, about a day in all); as many attempts follow as it has steps.
   * Shortened for tests, which must not wait a day for a retry.
   */
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .trim()
    .regex(/^\d+(\s*,\s*\d+){0,19}$/, "seconds, comma-separated, at most 20 steps")
    .optional(),
  /**
   * Megabytes of rendered pages each server process keeps to serve again while nothing they show
   * has changed (app/lib/page-cache.server.ts); 0 turns the cache off. Each process's RSS grows
   * by up to this much (buffers beside the heap).
   */
  PAGE_CACHE_MB: z.coerce.number().int().min(0).max(64).default(16),
  /** "true" serves /bench/floor, the benchmark's trivial page; off in normal use. */
  HINDSIGHT_BENCH: z.enum(["true", "false"]).default("false"),
}).refine((values) => !values.DATABASE_URL || values.SESSION_SECRET, {
  // Each instance would otherwise make its own secret, and a session signed by one would be
  // refused by the next.
  message: "is required when DATABASE_URL is set: every instance signs sessions with the same secret",
  path: ["SESSION_SECRET"],
});

export type Env = z.infer<typeof schema> & { APP_URL: string; DATA_DIR: string };

/** The configuration, read from the environment each time (cheap, and tests can change it). */
export function env(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration: ${problems.join("; ")}`);
  }
  const values = parsed.data;
  const dbPath = values.DATABASE_PATH;
  return {
    ...values,
    APP_URL: (values.APP_URL ?? `http://localhost:${values.PORT}`).replace(/\/$/, ""),
    DATA_DIR: dbPath === ":memory:" ? path.resolve("data") : path.dirname(path.resolve(dbPath)),
  };
}

/** A generated secret, as written to the data folder: 32 random bytes in hex. */
const GENERATED_SECRET = /^[0-9a-f]{64}$/;

/**
 * The cookie-signing secret: SESSION_SECRET when set, otherwise one generated on first start
 * and kept in the data folder, so sessions survive restarts without any setup.
 */
export function sessionSecret(): string {
  const { SESSION_SECRET, DATA_DIR } = env();
  if (SESSION_SECRET) return SESSION_SECRET;
  const file = path.join(DATA_DIR, "session-secret");
  const kept = readSecret(file);
  if (kept !== undefined && GENERATED_SECRET.test(kept)) return kept;
  fs.mkdirSync(DATA_DIR, { recursive: true });
  // Several processes may start at once: each writes a candidate in full (and to disk), and the
  // first to link its own under the name wins (a link never replaces a file); all then read the
  // winner. A file that is there but not a secret (cut short by a crash) is replaced.
  const candidate = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  const descriptor = fs.openSync(candidate, "wx", 0o600);
  try {
    fs.writeSync(descriptor, crypto.randomBytes(32).toString("hex"));
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
  try {
    if (kept === undefined) placeOnce(candidate, file);
    else fs.renameSync(candidate, file);
  } finally {
    fs.rmSync(candidate, { force: true });
  }
  const secret = readSecret(file);
  if (secret === undefined || !GENERATED_SECRET.test(secret)) throw new Error(`The session secret in ${file} could not be written; set SESSION_SECRET instead.`);
  return secret;
}

function readSecret(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Puts `candidate` at `file` unless a file is there already. A hard link does it in one step; a
 * file system without hard links (some network and FAT mounts) gets a copy made exclusively.
 */
function placeOnce(candidate: string, file: string): void {
  try {
    fs.linkSync(candidate, file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EOPNOTSUPP" && code !== "ENOSYS") throw error;
    try {
      fs.copyFileSync(candidate, file, fs.constants.COPYFILE_EXCL);
    } catch (copyError) {
      if ((copyError as NodeJS.ErrnoException).code !== "EEXIST") throw copyError;
    }
  }
}

/**
 * The site's address for links in API answers: APP_URL when it is set, else the address the
 * request came to (on a laptop, localhost and its port).
 */
export function apiOrigin(request: Request): string {
  return process.env.APP_URL ? env().APP_URL : new URL(request.url).origin;
}
