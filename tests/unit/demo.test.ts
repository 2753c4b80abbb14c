import { beforeEach, describe, expect, test } from "vitest";
import { db, schema } from "~/lib/db.server";
import { changesSincePublication, latestPublication } from "~/models/publication.server";
import { loadDemo } from "../../db/demo";
import { freshDatabase } from "./helpers";

describe("the demo data", () => {
  beforeEach(() => {
    freshDatabase();
  });

  test(
    "no published demo incident reports changes since its publication",
    () => {
      loadDemo();
      const published = db().select({ id: schema.incidents.id, status: schema.incidents.status }).from(schema.incidents).all().filter((i) => latestPublication(i.id));
      expect(published.length).toBeGreaterThanOrEqual(2);
      for (const incident of published) expect({ id: incident.id, ...changesSincePublication(incident.id) }).toEqual({ id: incident.id, count: 0, lastAt: null });
    },
    // Loading the demo builds three whole analyses; the limit only ends a hung run.
    60_000,
  );
});
