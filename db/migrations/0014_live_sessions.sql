CREATE TABLE `live_candidates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`round_id` integer NOT NULL,
	`token_hash` text NOT NULL,
	`author_id` integer,
	`body` text NOT NULL,
	`group_key` text NOT NULL,
	`accepted_as` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`round_id`) REFERENCES `live_rounds`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_candidates_token_idx` ON `live_candidates` (`token_hash`);--> statement-breakpoint
CREATE INDEX `live_candidates_round_idx` ON `live_candidates` (`round_id`,`id`);--> statement-breakpoint
CREATE TABLE `live_draft_counts` (
	`round_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`drafts` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`round_id`, `user_id`),
	FOREIGN KEY (`round_id`) REFERENCES `live_rounds`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`number` integer NOT NULL,
	`stream` text NOT NULL,
	`kind` text NOT NULL,
	`data` text DEFAULT '{}' NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_events_incident_number_idx` ON `live_events` (`incident_id`,`number`);--> statement-breakpoint
CREATE TABLE `live_members` (
	`session_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`ready_step` integer,
	`present_until` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`joined_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`session_id`, `user_id`),
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `live_rounds` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`session_id` integer NOT NULL,
	`kind` text NOT NULL,
	`why_id` integer,
	`question` text NOT NULL,
	`state` text DEFAULT 'drafting' NOT NULL,
	`opened_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`revealed_at` text,
	`closed_at` text,
	FOREIGN KEY (`session_id`) REFERENCES `live_sessions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`why_id`) REFERENCES `whys`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `live_rounds_session_idx` ON `live_rounds` (`session_id`,`id`);--> statement-breakpoint
CREATE TABLE `live_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` integer NOT NULL,
	`started_by_id` integer NOT NULL,
	`facilitator_id` integer NOT NULL,
	`phase` text DEFAULT 'timeline' NOT NULL,
	`step` integer DEFAULT 1 NOT NULL,
	`anonymous` integer DEFAULT true NOT NULL,
	`timer_ends_at` text,
	`timer_seconds` integer,
	`started_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_activity_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`ended_at` text,
	`ended_reason` text,
	FOREIGN KEY (`incident_id`) REFERENCES `incidents`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`started_by_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`facilitator_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `live_sessions_open_idx` ON `live_sessions` (`incident_id`) WHERE ended_at is null;--> statement-breakpoint
CREATE INDEX `live_sessions_incident_idx` ON `live_sessions` (`incident_id`,`id`);--> statement-breakpoint
CREATE TABLE `live_votes` (
	`round_id` integer NOT NULL,
	`group_key` text NOT NULL,
	`user_id` integer NOT NULL,
	PRIMARY KEY(`round_id`, `group_key`, `user_id`),
	FOREIGN KEY (`round_id`) REFERENCES `live_rounds`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
