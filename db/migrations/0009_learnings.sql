CREATE TABLE `learning_categories` (
	`incident_id` integer NOT NULL,
	`category` text NOT NULL,
	`publication_id` integer NOT NULL,
	`visibility` text NOT NULL,
	`first_published_at` text NOT NULL,
	PRIMARY KEY(`incident_id`, `category`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`publication_id`) REFERENCES `learnings`(`publication_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `learning_categories_feed_idx` ON `learning_categories` (`category`,`visibility`,`first_published_at`,`incident_id`,`publication_id`);--> statement-breakpoint
CREATE TABLE `learning_services` (
	`incident_id` integer NOT NULL,
	`service` text NOT NULL,
	`publication_id` integer NOT NULL,
	`visibility` text NOT NULL,
	`first_published_at` text NOT NULL,
	PRIMARY KEY(`incident_id`, `service`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`publication_id`) REFERENCES `learnings`(`publication_id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `learning_services_feed_idx` ON `learning_services` (`service`,`visibility`,`first_published_at`,`incident_id`,`publication_id`);--> statement-breakpoint
CREATE TABLE `learnings` (
	`publication_id` integer PRIMARY KEY NOT NULL,
	`incident_id` integer NOT NULL,
	`revision` integer NOT NULL,
	`latest` integer NOT NULL,
	`visibility` text NOT NULL,
	`first_published_at` text NOT NULL,
	`published_at` text NOT NULL,
	`title` text NOT NULL,
	`severity` text NOT NULL,
	`content` text NOT NULL,
	FOREIGN KEY (`publication_id`) REFERENCES `publications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `learnings_feed_idx` ON `learnings` (`latest`,`visibility`,`first_published_at`,`incident_id`);--> statement-breakpoint
CREATE INDEX `learnings_severity_idx` ON `learnings` (`latest`,`visibility`,`severity`,`first_published_at`,`incident_id`);--> statement-breakpoint
CREATE INDEX `learnings_incident_idx` ON `learnings` (`incident_id`);--> statement-breakpoint
-- What the feed shows of every publication made before this migration. learning_content() is the
-- app's own code (registered by openDatabase in app/lib/db.server.ts), so these rows are the same
-- as the ones publishing writes.
INSERT INTO `learnings` (`publication_id`, `incident_id`, `revision`, `latest`, `visibility`, `first_published_at`, `published_at`, `title`, `severity`, `content`)
	SELECT p.`id`, p.`incident_id`, p.`revision`,
		p.`revision` = (SELECT max(p2.`revision`) FROM `publications` p2 WHERE p2.`incident_id` = p.`incident_id`),
		i.`visibility`, coalesce(i.`published_at`, p.`published_at`), p.`published_at`,
		json_extract(p.`snapshot`, '$.title'), json_extract(p.`snapshot`, '$.severity'), learning_content(p.`snapshot`)
	FROM `publications` p JOIN `incidents` i ON i.`id` = p.`incident_id`;
--> statement-breakpoint
INSERT INTO `learning_services` (`incident_id`, `service`, `publication_id`, `visibility`, `first_published_at`)
	SELECT DISTINCT l.`incident_id`, s.`value`, l.`publication_id`, l.`visibility`, l.`first_published_at`
	FROM `learnings` l, json_each(l.`content`, '$.services') s
	WHERE l.`latest`;
--> statement-breakpoint
-- A category merged since publishing counts as the one it went into.
INSERT INTO `learning_categories` (`incident_id`, `category`, `publication_id`, `visibility`, `first_published_at`)
	SELECT DISTINCT l.`incident_id`, coalesce(cc.`merged_into`, c.`value`), l.`publication_id`, l.`visibility`, l.`first_published_at`
	FROM `learnings` l, json_each(l.`content`, '$.categories') c
	LEFT JOIN `cause_categories` cc ON cc.`slug` = c.`value`
	WHERE l.`latest`;
--> statement-breakpoint
-- The feed never shows a restricted incident: its rows follow the incident's visibility, whoever changes it.
CREATE TRIGGER `incidents_learnings_visibility` AFTER UPDATE OF `visibility` ON `incidents` BEGIN
	UPDATE `learnings` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
	UPDATE `learning_services` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
	UPDATE `learning_categories` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
END;
