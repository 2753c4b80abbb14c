-- The cause categories every installation starts with (SQLite: db/migrations/0003_learning.sql).
INSERT INTO "cause_categories" ("slug", "label", "position") VALUES
	('code', 'Code defect', 1),
	('testing', 'Testing gap', 2),
	('config', 'Configuration', 3),
	('capacity', 'Capacity', 4),
	('dependency', 'Dependency', 5),
	('architecture', 'Architecture', 6),
	('observability', 'Observability', 7),
	('process', 'Process', 8),
	('knowledge', 'Knowledge', 9);
