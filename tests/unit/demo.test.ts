import { beforeEach, describe, expect, test } from "vitest";
import { db, schema } from "~/lib/db.server";
import { changesSincePublication, latestPublication } from "~/models/publication.server";
import { loadDemo } from "../../db/demo";
import { freshDatabase } from "./helpers";

describe("the demo data", () => {
  beforeEach(async () => {
    await freshDatabase();
  });

  test(
    "no published demo incident reports changes since its publication",
    async () => {
      await loadDemo();
      const published: { id: number; status: string }[] = [];
      for (const i of await db().select({ id: schema.incidents.id, status: schema.incidents.status }).from(schema.incidents).all()) {
        if (await latestPublication(i.id)) published.push(i);
      }
      expect(published.length).toBeGreaterThanOrEqual(2);
      for (const incident of published) expect({ id: incident.id, ...(await changesSincePublication(incident.id)) }).toEqual({ id: incident.id, count: 0, lastAt: null });
    },
    // Loading the demo builds three whole analyses; the limit only ends a hung run.
    60_000,
  );
});
