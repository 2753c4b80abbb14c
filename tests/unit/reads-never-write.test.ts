// Reading a page writes nothing: every route's loader, run as a GET by an admin on the demo data,
// leaves every table as it was. What a page shows is computed when data changes (a why's similar
// whys when it is saved, a feed link when the account is made), or by a data migration or a
// start-up job for older data; docs/decisions/0014-reads-never-write.md.
import crypto from "node:crypto";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db, engine, rowsOf, schema, sqliteOf } from "~/lib/db.server";
import { getUser } from "~/models/user.server";
import { addAndInvite } from "~/models/account-links.server";
import { listIncidentActions } from "~/models/action.server";
import { latestPublication } from "~/models/publication.server";
import { unsubscribeUrl } from "~/models/subscription.server";
import { reference } from "~/models/incident";
import { loadDemo } from "../../db/demo";
import { freshDatabase, sessionCookie } from "./helpers";

type Loader = (args: LoaderFunctionArgs) => unknown;
const routes = import.meta.glob<{ loader?: Loader }>(["../../app/routes/*.{ts,tsx}", "../../app/root.tsx"], { eager: true });

/** Every table's rows, hashed: what a read must leave as it was. */
async function contents(): Promise<Record<string, string>> {
  const tables = (
    await rowsOf<{ name: string }>(
      db(),
      engine === "sqlite"
        ? sql`select name from sqlite_master where type = 'table' order by name`
        : sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
    )
  ).map((t) => t.name);
  const hashed: Record<string, string> = {};
  for (const t of tables) {
    const rows = await rowsOf(db(), sql`select * from ${sql.identifier(t)} order by 1`);
    hashed[t] = crypto.createHash("sha256").update(JSON.stringify(rows)).digest("hex");
  }
  return hashed;
}

/** The URL path a route file serves, with its parameters filled in. */
function pathOf(file: string, params: Record<string, string>): string {
  const name = file.replace(/^.*\/routes\//, "").replace(/\.tsx?$/, "");
  if (name === "$") return "/nowhere";
  if (file.endsWith("root.tsx")) return "/";
  const segments = name
    .replace(/\[\.\]/g, "\u0000")
    .split(".")
    .filter((s) => s !== "_index")
    .map((s) => s.replace(/_$/, "").replace(/\u0000/g, "."))
    .map((s) => (s.startsWith("$") ? encodeURIComponent(params[s.slice(1)]) : s));
  return `/${segments.join("/")}`;
}

describe("reading a page", () => {
  const params: Record<string, Record<string, string>> = {};
  let cookie = "";
  let extra: string[] = [];
  let ref = "";

  beforeAll(async () => {
    await freshDatabase();
    await loadDemo();
    const admin = (await getUser((await db().select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.role, "admin")).get())!.id))!;
    let incident!: { id: number };
    for (const i of await db().select({ id: schema.incidents.id }).from(schema.incidents).all()) {
      if (await latestPublication(i.id)) {
        incident = i;
        break;
      }
    }
    const action = (await listIncidentActions(incident.id))[0];
    const { user: member, url: setPasswordUrl } = await addAndInvite(admin, { name: "Reader", email: "reader@example.com", team: "Web", role: "member" });
    const setPasswordToken = setPasswordUrl.split("/").pop()!;
    // A digest already sent, for its page.
    const through = (await db().select({ id: schema.publications.id }).from(schema.publications).all()).at(-1)!.id;
    await db().insert(schema.digests).values({ seq: 1, afterPublicationId: 0, throughPublicationId: through, startAt: null, endAt: new Date().toISOString(), trigger: "manual" }).run();
    await db().insert(schema.digestItems).values({ publicationId: through, digestSeq: 1 }).run();
    // What a read once wrote: whys whose similar whys were not looked up yet (they are, at
    // start-up), and a person without a feed link (they ask for one).
    await db().update(schema.whys).set({ similarCheckedAt: null }).run();
    await db().update(schema.users).set({ feedToken: null }).where(eq(schema.users.id, admin.id)).run();

    ref = reference(incident.id);
    const byFile: Record<string, Record<string, string>> = {
      "actions.$id.tsx": { id: String(action.id) },
      "admin.users_.$id.remove.tsx": { id: String(member.id) },
      "digest.$seq.tsx": { seq: "1" },
      "set-password.$token.tsx": { token: setPasswordToken },
      "unsubscribe.$token.tsx": { token: unsubscribeUrl(member.id).split("/").at(-1)! },
    };
    for (const file of Object.keys(routes)) params[file] = byFile[file.replace(/^.*\/routes\//, "")] ?? { ref };
    extra = [`/search?q=${encodeURIComponent("database")}`, "/incidents?status=published", "/learnings?period=365d", "/actions/all?status=open", "/insights?period=365d"];
    cookie = await sessionCookie(admin.id);
  }, 120_000);

  it("writes nothing, on any page, as an admin", async () => {
    const before = await contents();
    // SQLite counts every row written on its connection, even one written back unchanged.
    const changes = () => (engine === "sqlite" ? (sqliteOf(db()).prepare("select total_changes() as n").get() as { n: number }).n : 0);
    const changedBefore = changes();
    const read: string[] = [];
    for (const [file, module] of Object.entries(routes)) {
      if (!module.loader) continue;
      const paths = [pathOf(file, params[file] ?? {}), ...(file.endsWith("routes/search.tsx") || file.endsWith("routes/incidents._index.tsx") ? extra : [])];
      for (const path of paths) {
        const request = new Request(new URL(path, "http://localhost"), { headers: { cookie } });
        try {
          await module.loader({ request, params: params[file] ?? {}, context: {} } as LoaderFunctionArgs);
        } catch (thrown) {
          // Redirects and refusals are answers too; anything else is a broken page.
          if (!(thrown instanceof Response)) throw thrown;
        }
        read.push(path);
      }
    }
    expect(read.length).toBeGreaterThan(30);
    expect(read).toEqual(expect.arrayContaining(["/learnings", `/incidents/${ref}`, `/incidents/${ref}/history`, "/digest/1", "/search?q=database"]));
    expect(await contents()).toEqual(before);
    expect(changes()).toBe(changedBefore);
  }, 120_000);
});
