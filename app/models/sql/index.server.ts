import { engine } from "~/lib/db.server";
import * as postgres from "./postgres.server";
import * as sqlite from "./sqlite.server";

// The engine's own SQL, SQLite's or PostgreSQL's, chosen once as the process starts: the models
// import it from here, never from an engine's module.
const twins: typeof sqlite = postgres;
const chosen = engine === "postgres" ? twins : sqlite;

export const { inIdList, idList, jsonArrayOf, jsonTuple, joined, secondsBetween, timestampText, monthOf, millisecondsBetween, firstOfEach, isFalse, likelyTrue, throughIndex, laterInsertedFirst } = chosen;
