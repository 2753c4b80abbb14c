CREATE TABLE `blame_acknowledgements` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`why_id` integer NOT NULL,
	`field` text NOT NULL,
	`match` text NOT NULL,
	`reason` text NOT NULL,
	`acknowledged_by_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`why_id`) REFERENCES `whys`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`acknowledged_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blame_ack_why_field_match_idx` ON `blame_acknowledgements` (`why_id`,`field`,`match`);--> statement-breakpoint
CREATE TABLE `cause_categories` (
	`slug` text PRIMARY KEY NOT NULL,
	`label` text NOT NULL,
	`position` integer NOT NULL,
	`merged_into` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cause_categories_label_unique` ON `cause_categories` (`label`);--> statement-breakpoint
CREATE TABLE `incident_links` (
	`incident_id` integer NOT NULL,
	`related_id` integer NOT NULL,
	`created_by_id` integer NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`incident_id`, `related_id`),
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`related_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`created_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `incident_links_related_idx` ON `incident_links` (`related_id`);--> statement-breakpoint
CREATE INDEX `whys_category_idx` ON `whys` (`category`);--> statement-breakpoint
INSERT INTO `cause_categories` (`slug`, `label`, `position`) VALUES
	('code', 'Code defect', 1),
	('testing', 'Testing gap', 2),
	('config', 'Configuration', 3),
	('capacity', 'Capacity', 4),
	('dependency', 'Dependency', 5),
	('architecture', 'Architecture', 6),
	('observability', 'Observability', 7),
	('process', 'Process', 8),
	('knowledge', 'Knowledge', 9);
