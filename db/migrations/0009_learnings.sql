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
-- What the feed shows of publications made before this migration is drawn from their snapshots
-- by the app, after the migrations: the data migration "learnings-of-earlier-publications"
-- (app/models/data-migrations.server.ts). A migration calls no app code.
-- The feed never shows a restricted incident: its rows follow the incident's visibility, whoever changes it.
CREATE TRIGGER `incidents_learnings_visibility` AFTER UPDATE OF `visibility` ON `incidents` BEGIN
	UPDATE `learnings` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
	UPDATE `learning_services` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
	UPDATE `learning_categories` SET `visibility` = new.`visibility` WHERE `incident_id` = new.`id`;
END;
