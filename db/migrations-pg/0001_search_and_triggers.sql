-- What db/schema.pg.ts cannot say: the full-text index and the triggers that keep derived rows in
-- step, as db/migrations/0004_search.sql and 0009_learnings.sql do on SQLite. A new database has
-- no rows yet, so nothing is backfilled.
--
-- Full-text index over what people write: incidents, whys (with their remediations), timeline
-- entries and actions. `rid` encodes the source row as SQLite's rowid does (id * 8 + kind:
-- 1 incident, 2 why, 3 timeline entry, 4 action), so triggers update one entry by its key.
-- `doc` weighs title over body over extra, as bm25's column weights do on SQLite; `why_doc`
-- leaves the title (a why's question) out, for matching whys by their answers and remediations.
-- The text search configuration `hindsight` is PostgreSQL's english one that also folds accents
-- ("café" is found as "cafe"), as SQLite's tokenizer does (remove_diacritics). unaccent is a
-- trusted extension: a database owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;
--> statement-breakpoint
CREATE TEXT SEARCH CONFIGURATION "hindsight" (COPY = english);
--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION "hindsight" ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
--> statement-breakpoint
CREATE TABLE "search_index" (
	"rid" bigint PRIMARY KEY NOT NULL,
	"incident_id" integer NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"extra" text NOT NULL,
	"doc" tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('hindsight', "title"), 'A') || setweight(to_tsvector('hindsight', "body"), 'B') || setweight(to_tsvector('hindsight', "extra"), 'C')
	) STORED,
	"why_doc" tsvector GENERATED ALWAYS AS (
		setweight(to_tsvector('hindsight', "body"), 'B') || setweight(to_tsvector('hindsight', "extra"), 'C')
	) STORED
);
--> statement-breakpoint
CREATE INDEX "search_doc_idx" ON "search_index" USING gin ("doc");
--> statement-breakpoint
CREATE INDEX "search_why_doc_idx" ON "search_index" USING gin ("why_doc");
--> statement-breakpoint
CREATE INDEX "search_incident_idx" ON "search_index" USING btree ("incident_id");
--> statement-breakpoint
-- One function per source table writes or removes its entry; the triggers below call it on the
-- same events, and for updates of the same columns, as SQLite's. A changed id (never done, but
-- possible) moves the entry, as SQLite's delete-then-insert does.
CREATE FUNCTION "incidents_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old."id" <> new."id") THEN
		DELETE FROM "search_index" WHERE "rid" = old."id" * 8 + 1;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO "search_index" ("rid", "title", "body", "extra", "incident_id")
			VALUES (new."id" * 8 + 1, new."title", new."summary_md", new."impact_md", new."id")
			ON CONFLICT ("rid") DO UPDATE SET "title" = excluded."title", "body" = excluded."body", "extra" = excluded."extra", "incident_id" = excluded."incident_id";
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "incidents_search_insert" AFTER INSERT ON "incidents" FOR EACH ROW EXECUTE FUNCTION "incidents_search"();
--> statement-breakpoint
CREATE TRIGGER "incidents_search_update" AFTER UPDATE OF "title", "summary_md", "impact_md" ON "incidents" FOR EACH ROW EXECUTE FUNCTION "incidents_search"();
--> statement-breakpoint
CREATE TRIGGER "incidents_search_delete" AFTER DELETE ON "incidents" FOR EACH ROW EXECUTE FUNCTION "incidents_search"();
--> statement-breakpoint
CREATE FUNCTION "whys_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old."id" <> new."id") THEN
		DELETE FROM "search_index" WHERE "rid" = old."id" * 8 + 2;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO "search_index" ("rid", "title", "body", "extra", "incident_id")
			VALUES (new."id" * 8 + 2, new."question", new."answer", new."remediation_md", new."incident_id")
			ON CONFLICT ("rid") DO UPDATE SET "title" = excluded."title", "body" = excluded."body", "extra" = excluded."extra", "incident_id" = excluded."incident_id";
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "whys_search_insert" AFTER INSERT ON "whys" FOR EACH ROW EXECUTE FUNCTION "whys_search"();
--> statement-breakpoint
CREATE TRIGGER "whys_search_update" AFTER UPDATE OF "question", "answer", "remediation_md" ON "whys" FOR EACH ROW EXECUTE FUNCTION "whys_search"();
--> statement-breakpoint
CREATE TRIGGER "whys_search_delete" AFTER DELETE ON "whys" FOR EACH ROW EXECUTE FUNCTION "whys_search"();
--> statement-breakpoint
CREATE FUNCTION "timeline_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old."id" <> new."id") THEN
		DELETE FROM "search_index" WHERE "rid" = old."id" * 8 + 3;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO "search_index" ("rid", "title", "body", "extra", "incident_id")
			VALUES (new."id" * 8 + 3, '', new."body_md", '', new."incident_id")
			ON CONFLICT ("rid") DO UPDATE SET "title" = excluded."title", "body" = excluded."body", "extra" = excluded."extra", "incident_id" = excluded."incident_id";
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "timeline_search_insert" AFTER INSERT ON "timeline_entries" FOR EACH ROW EXECUTE FUNCTION "timeline_search"();
--> statement-breakpoint
CREATE TRIGGER "timeline_search_update" AFTER UPDATE OF "body_md" ON "timeline_entries" FOR EACH ROW EXECUTE FUNCTION "timeline_search"();
--> statement-breakpoint
CREATE TRIGGER "timeline_search_delete" AFTER DELETE ON "timeline_entries" FOR EACH ROW EXECUTE FUNCTION "timeline_search"();
--> statement-breakpoint
CREATE FUNCTION "actions_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND old."id" <> new."id") THEN
		DELETE FROM "search_index" WHERE "rid" = old."id" * 8 + 4;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		INSERT INTO "search_index" ("rid", "title", "body", "extra", "incident_id")
			VALUES (new."id" * 8 + 4, new."title", new."description_md", '', new."incident_id")
			ON CONFLICT ("rid") DO UPDATE SET "title" = excluded."title", "body" = excluded."body", "extra" = excluded."extra", "incident_id" = excluded."incident_id";
	END IF;
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "actions_search_insert" AFTER INSERT ON "actions" FOR EACH ROW EXECUTE FUNCTION "actions_search"();
--> statement-breakpoint
CREATE TRIGGER "actions_search_update" AFTER UPDATE OF "title", "description_md" ON "actions" FOR EACH ROW EXECUTE FUNCTION "actions_search"();
--> statement-breakpoint
CREATE TRIGGER "actions_search_delete" AFTER DELETE ON "actions" FOR EACH ROW EXECUTE FUNCTION "actions_search"();
--> statement-breakpoint
-- The feed never shows a restricted incident: its rows follow the incident's visibility, whoever changes it.
CREATE FUNCTION "incidents_learnings_visibility"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE "learnings" SET "visibility" = new."visibility" WHERE "incident_id" = new."id";
	UPDATE "learning_services" SET "visibility" = new."visibility" WHERE "incident_id" = new."id";
	UPDATE "learning_categories" SET "visibility" = new."visibility" WHERE "incident_id" = new."id";
	RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER "incidents_learnings_visibility" AFTER UPDATE OF "visibility" ON "incidents" FOR EACH ROW EXECUTE FUNCTION "incidents_learnings_visibility"();
