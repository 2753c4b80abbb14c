ALTER TABLE `audit_events` ADD `related_incident_id` integer REFERENCES incidents(id) ON DELETE set null;--> statement-breakpoint
-- Events that named a related incident by its reference ("Marked INC-7 as related") name it by
-- id instead, so each reader of the history sees the reference only if they may see that
-- incident. Ones that said "a restricted incident" never knew which, and stay as they are.
UPDATE `audit_events`
	SET `related_incident_id` = CAST(substr(`summary`, instr(`summary`, 'INC-') + 4) AS integer),
		`summary` = substr(`summary`, 1, instr(`summary`, 'INC-') - 1) || '{related}'
			|| substr(`summary`, instr(`summary`, 'INC-') + 4 + length(CAST(CAST(substr(`summary`, instr(`summary`, 'INC-') + 4) AS integer) AS text)))
	WHERE `kind` IN ('incident.linked', 'incident.unlinked')
		AND instr(`summary`, 'INC-') > 0
		AND EXISTS (SELECT 1 FROM `incidents` i WHERE i.`id` = CAST(substr(`summary`, instr(`summary`, 'INC-') + 4) AS integer));
