-- The directory and account search match and sort names by a folded key (src/services/text.ts, foldKey):
-- SQLite's NOCASE folds ASCII only. bt_fold is that function, registered on the connection by openDb.
DROP INDEX `accounts_directory_idx`;--> statement-breakpoint
DROP INDEX `accounts_department_idx`;--> statement-breakpoint
ALTER TABLE `accounts` ADD `name_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `accounts` ADD `department_key` text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE `accounts` SET `name_key` = bt_fold(`display_name`), `department_key` = bt_fold(`department`);--> statement-breakpoint
CREATE INDEX `accounts_name_idx` ON `accounts` (`name_key`,`handle`);--> statement-breakpoint
CREATE INDEX `accounts_department_name_idx` ON `accounts` (`department_key`,`name_key`,`handle`);