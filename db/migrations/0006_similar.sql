CREATE TABLE `why_similarities` (
	`why_id` integer NOT NULL,
	`similar_why_id` integer NOT NULL,
	`rank` real NOT NULL,
	`overlap` real NOT NULL,
	PRIMARY KEY(`why_id`, `similar_why_id`),
	FOREIGN KEY (`why_id`) REFERENCES `whys`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`similar_why_id`) REFERENCES `whys`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `why_similarities_similar_idx` ON `why_similarities` (`similar_why_id`);--> statement-breakpoint
ALTER TABLE `whys` ADD `similar_checked_at` text;