CREATE TABLE `publications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`revision` integer NOT NULL,
	`published_at` text NOT NULL,
	`published_by_id` integer NOT NULL,
	`snapshot` text NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`published_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `publications_incident_revision_idx` ON `publications` (`incident_id`,`revision`);--> statement-breakpoint
CREATE INDEX `publications_published_idx` ON `publications` (`published_at`);--> statement-breakpoint
ALTER TABLE `users` ADD `feed_token` text;--> statement-breakpoint
CREATE UNIQUE INDEX `users_feed_token_unique` ON `users` (`feed_token`);