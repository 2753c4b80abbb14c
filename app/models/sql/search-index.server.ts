import { engine } from "~/lib/db.server";
import * as postgres from "./postgres-search.server";
import * as sqlite from "./sqlite-search.server";

// The engine's full-text search, SQLite's or PostgreSQL's, chosen once as the process starts:
// Search and Seen before import it from here, never from an engine's module.
const twin: typeof sqlite = postgres;
const chosen = engine === "postgres" ? twin : sqlite;

export const { KIND_ACTION, KIND_INCIDENT, KIND_TIMELINE, KIND_WHY, HIT_END, HIT_START, indexSource, toMatchQuery, rankStatement, pageStatement, anyWordInWhy, whysMatching } = chosen;
