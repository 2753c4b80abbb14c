DROP INDEX `actions_owner_idx`;--> statement-breakpoint
CREATE INDEX `actions_due_idx` ON `actions` (("status" = 'done' or "status" = 'wont_do'),`due_date`,`owner_id`,`incident_id`);--> statement-breakpoint
CREATE INDEX `actions_priority_idx` ON `actions` (`priority`,`due_date`);--> statement-breakpoint
CREATE INDEX `actions_status_order_idx` ON `actions` ((case "status" when 'open' then 0 when 'in_progress' then 1 when 'done' then 2 else 3 end),`due_date`);--> statement-breakpoint
CREATE INDEX `actions_completed_idx` ON `actions` (`completed_at`);--> statement-breakpoint
CREATE INDEX `actions_owner_idx` ON `actions` (`owner_id`,("status" = 'done' or "status" = 'wont_do'),`due_date`,`incident_id`);--> statement-breakpoint
CREATE INDEX `users_name_idx` ON `users` (`name`);