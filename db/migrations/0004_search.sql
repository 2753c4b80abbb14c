-- Full-text index over what people write: incidents, whys (with their remediations), timeline
-- entries and actions. The rowid encodes the source row (id * 8 + kind: 1 incident, 2 why,
-- 3 timeline entry, 4 action) so triggers update one entry without scanning the index.
CREATE VIRTUAL TABLE `search_index` USING fts5(
	title, body, extra, incident_id UNINDEXED,
	tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
INSERT INTO `search_index` (rowid, title, body, extra, incident_id)
	SELECT id * 8 + 1, title, summary_md, impact_md, id FROM `incidents`;
--> statement-breakpoint
INSERT INTO `search_index` (rowid, title, body, extra, incident_id)
	SELECT id * 8 + 2, question, answer, remediation_md, incident_id FROM `whys`;
--> statement-breakpoint
INSERT INTO `search_index` (rowid, title, body, extra, incident_id)
	SELECT id * 8 + 3, '', body_md, '', incident_id FROM `timeline_entries`;
--> statement-breakpoint
INSERT INTO `search_index` (rowid, title, body, extra, incident_id)
	SELECT id * 8 + 4, title, description_md, '', incident_id FROM `actions`;
--> statement-breakpoint
CREATE TRIGGER `incidents_search_insert` AFTER INSERT ON `incidents` BEGIN
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 1, new.title, new.summary_md, new.impact_md, new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `incidents_search_update` AFTER UPDATE OF title, summary_md, impact_md ON `incidents` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 1;
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 1, new.title, new.summary_md, new.impact_md, new.id);
END;
--> statement-breakpoint
CREATE TRIGGER `incidents_search_delete` AFTER DELETE ON `incidents` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `whys_search_insert` AFTER INSERT ON `whys` BEGIN
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 2, new.question, new.answer, new.remediation_md, new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `whys_search_update` AFTER UPDATE OF question, answer, remediation_md ON `whys` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 2;
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 2, new.question, new.answer, new.remediation_md, new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `whys_search_delete` AFTER DELETE ON `whys` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 2;
END;
--> statement-breakpoint
CREATE TRIGGER `timeline_search_insert` AFTER INSERT ON `timeline_entries` BEGIN
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 3, '', new.body_md, '', new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `timeline_search_update` AFTER UPDATE OF body_md ON `timeline_entries` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 3;
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 3, '', new.body_md, '', new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `timeline_search_delete` AFTER DELETE ON `timeline_entries` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 3;
END;
--> statement-breakpoint
CREATE TRIGGER `actions_search_insert` AFTER INSERT ON `actions` BEGIN
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 4, new.title, new.description_md, '', new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `actions_search_update` AFTER UPDATE OF title, description_md ON `actions` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 4;
	INSERT INTO `search_index` (rowid, title, body, extra, incident_id) VALUES (new.id * 8 + 4, new.title, new.description_md, '', new.incident_id);
END;
--> statement-breakpoint
CREATE TRIGGER `actions_search_delete` AFTER DELETE ON `actions` BEGIN
	DELETE FROM `search_index` WHERE rowid = old.id * 8 + 4;
END;
