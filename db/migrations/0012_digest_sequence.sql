CREATE TABLE `digest_items` (
	`publication_id` integer PRIMARY KEY NOT NULL,
	`digest_seq` integer NOT NULL,
	FOREIGN KEY (`publication_id`) REFERENCES `publications`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`digest_seq`) REFERENCES `digests`(`seq`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `digest_items_digest_idx` ON `digest_items` (`digest_seq`,`publication_id`);--> statement-breakpoint
CREATE TABLE `digest_subscriptions` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `digests` (
	`seq` integer PRIMARY KEY NOT NULL,
	`after_publication_id` integer NOT NULL,
	`through_publication_id` integer NOT NULL,
	`start_at` text,
	`end_at` text NOT NULL,
	`trigger` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
-- The weekly digests sent before digests were numbered become digests #1, #2, … when the app
-- starts: the data migration "numbered-digests-from-weekly-ones"
-- (app/models/data-migrations.server.ts) needs the week's end in the organisation's time zone.
