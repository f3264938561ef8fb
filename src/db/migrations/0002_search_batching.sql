-- Index new posts for search in batches: the insert trigger only queues the post, and the search service
-- indexes the queue before every query and on a timer. One FTS5 insert per post cost ~300 µs at 1M posts.
CREATE TABLE `fts_pending` (`seq` integer PRIMARY KEY NOT NULL);
--> statement-breakpoint
DROP TRIGGER `posts_fts_ai`;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_ai` AFTER INSERT ON `posts` BEGIN
  INSERT INTO fts_pending(seq) VALUES (new.seq);
END;
--> statement-breakpoint
DROP TRIGGER `posts_fts_ad`;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_ad` AFTER DELETE ON `posts` BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, text) SELECT 'delete', old.seq, old.text WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE seq = old.seq);
  DELETE FROM fts_pending WHERE seq = old.seq;
END;
--> statement-breakpoint
DROP TRIGGER `posts_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_au` AFTER UPDATE OF text ON `posts` BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, text) SELECT 'delete', old.seq, old.text WHERE NOT EXISTS (SELECT 1 FROM fts_pending WHERE seq = old.seq);
  INSERT OR IGNORE INTO fts_pending(seq) VALUES (new.seq);
END;
