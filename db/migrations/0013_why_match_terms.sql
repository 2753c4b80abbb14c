ALTER TABLE `why_similarities` ADD `matched_on` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
-- Pairs found before the relevance threshold were kept on a looser test and say nothing of what
-- matched: every why is looked up again, with the threshold, the next time its incident is read.
DELETE FROM `why_similarities`;--> statement-breakpoint
UPDATE `whys` SET `similar_checked_at` = NULL;
