-- The search index moves to its own file (src/db/search-index.ts), written by the search worker's thread. This
-- database keeps which index belongs to it and a queue of deleted posts for the index to drop.
DROP TRIGGER IF EXISTS `posts_fts_ai`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `posts_fts_ad`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `posts_fts_au`;
--> statement-breakpoint
DROP TABLE IF EXISTS `posts_fts`;
--> statement-breakpoint
DROP TABLE IF EXISTS `fts_pending`;
--> statement-breakpoint
CREATE TABLE `search_content` (`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1), `content_id` text NOT NULL);
--> statement-breakpoint
INSERT INTO `search_content` (`id`, `content_id`) VALUES (1, lower(hex(randomblob(16))));
--> statement-breakpoint
CREATE TABLE `search_deletions` (`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL, `seq` integer NOT NULL);
--> statement-breakpoint
CREATE TRIGGER `posts_search_ad` AFTER DELETE ON `posts` BEGIN
  INSERT INTO search_deletions(seq) VALUES (old.seq);
END;
