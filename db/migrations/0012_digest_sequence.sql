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
--> statement-breakpoint
-- The weekly digests sent before digests were numbered (outbox keys "digest:2026-W48") become
-- digests #1, #2, … in the order they ended. Each ended with its week, or when it was written if
-- that was earlier (a digest sent mid-week): what was published after that went out in no
-- digest, so the next digest starts there and carries it.
INSERT INTO `digests` (`seq`, `after_publication_id`, `through_publication_id`, `start_at`, `end_at`, `trigger`, `created_at`)
SELECT row_number() OVER (ORDER BY `end_at`, `id`), 0, 0, NULL, `end_at`, 'migrated', `created_at`
FROM (
	SELECT `id`, `created_at`,
		min(`created_at`, coalesce(iso_week_end(substr(`key`, 8), coalesce((SELECT json_extract(`value`, '$') FROM `settings` WHERE `key` = 'timeZone'), 'UTC')), `created_at`)) AS `end_at`
	FROM `outbox`
	WHERE `kind` = 'digest' AND `key` GLOB 'digest:[0-9][0-9][0-9][0-9]-W[0-9][0-9]'
);--> statement-breakpoint
UPDATE `digests` SET `through_publication_id` = coalesce((SELECT max(p.`id`) FROM `publications` p WHERE p.`revision` = 1 AND p.`published_at` < `digests`.`end_at`), 0);--> statement-breakpoint
UPDATE `digests` SET `through_publication_id` = (SELECT max(d.`through_publication_id`) FROM `digests` d WHERE d.`seq` <= `digests`.`seq`);--> statement-breakpoint
UPDATE `digests` SET
	`after_publication_id` = coalesce((SELECT d.`through_publication_id` FROM `digests` d WHERE d.`seq` = `digests`.`seq` - 1), 0),
	`start_at` = (SELECT d.`end_at` FROM `digests` d WHERE d.`seq` = `digests`.`seq` - 1);--> statement-breakpoint
INSERT INTO `digest_items` (`publication_id`, `digest_seq`)
SELECT p.`id`, d.`seq` FROM `digests` d JOIN `publications` p ON p.`revision` = 1 AND p.`id` > d.`after_publication_id` AND p.`id` <= d.`through_publication_id`;
