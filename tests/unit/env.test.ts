import { afterEach, describe, expect, it } from "vitest";
import { env } from "~/lib/env.server";

// Several instances sign sessions and cookies with one secret: on PostgreSQL it must be given.

const saved = { DATABASE_URL: process.env.DATABASE_URL, SESSION_SECRET: process.env.SESSION_SECRET };

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
