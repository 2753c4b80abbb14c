import { defineConfig } from "drizzle-kit";

// The PostgreSQL engine's migrations, generated from its mirror of the schema (db/schema.pg.ts).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.pg.ts",
  out: "./db/migrations-pg",
});
