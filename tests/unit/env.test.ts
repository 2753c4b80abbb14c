import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { env, sessionSecret } from "~/lib/env.server";

// Several instances sign sessions and cookies with one secret: on PostgreSQL it must be given.

const saved = { DATABASE_URL: process.env.DATABASE_URL, SESSION_SECRET: process.env.SESSION_SECRET, DATABASE_PATH: process.env.DATABASE_PATH };

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("the configuration", () => {
  it("refuses DATABASE_URL without SESSION_SECRET, saying why", () => {
    process.env.DATABASE_URL = "postgres://hindsight@db.internal/hindsight";
    delete process.env.SESSION_SECRET;
    expect(() => env()).toThrow("Invalid configuration: SESSION_SECRET: is required when DATABASE_URL is set: every instance signs sessions with the same secret");
    process.env.SESSION_SECRET = "a-secret-every-instance-shares";
    expect(env().SESSION_SECRET).toBe("a-secret-every-instance-shares");
  });

  it("needs no secret for a SQLite file, which makes and keeps its own", () => {
    delete process.env.DATABASE_URL;
    delete process.env.SESSION_SECRET;
    expect(env().SESSION_SECRET).toBeUndefined();
  });
});

describe("the session secret a SQLite installation makes itself", () => {
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hindsight-secret-"));
    delete process.env.DATABASE_URL;
    delete process.env.SESSION_SECRET;
    process.env.DATABASE_PATH = path.join(dir, "hindsight.db");
    return dir;
  };

  it("is made once, kept in the data folder for the owner alone, and read back after", () => {
    const dir = dataDir();
    const secret = sessionSecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionSecret()).toBe(secret);
    const file = path.join(dir, "session-secret");
    expect(fs.readFileSync(file, "utf8")).toBe(secret);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir), "no candidate left behind").toEqual(["session-secret"]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("replaces a file a crash left empty, rather than sign with nothing", () => {
    const dir = dataDir();
    fs.writeFileSync(path.join(dir, "session-secret"), "");
    const secret = sessionSecret();
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.readFileSync(path.join(dir, "session-secret"), "utf8")).toBe(secret);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("is the same for processes that start together on a new data folder", async () => {
    const dir = dataDir();
    const script = `import("./app/lib/env.server.ts").then((m) => process.stdout.write(m.sessionSecret()))`;
    const run = () => promisify(execFile)(path.resolve("node_modules/.bin/tsx"), ["-e", script], { env: { ...process.env } });
    const secrets = (await Promise.all(Array.from({ length: 4 }, run))).map((result) => result.stdout);
    expect(secrets[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(secrets).size).toBe(1);
    expect(fs.readdirSync(dir)).toEqual(["session-secret"]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
