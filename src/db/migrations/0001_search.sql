-- Full-text index over post text, kept in step with posts by triggers (external content).
CREATE VIRTUAL TABLE `posts_fts` USING fts5(text, content='posts', content_rowid='seq', tokenize='unicode61 remove_diacritics 2', prefix='2 3');
--> statement-breakpoint
CREATE TRIGGER `posts_fts_ai` AFTER INSERT ON `posts` BEGIN
  INSERT INTO posts_fts(rowid, text) VALUES (new.seq, new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_ad` AFTER DELETE ON `posts` BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.seq, old.text);
END;
--> statement-breakpoint
CREATE TRIGGER `posts_fts_au` AFTER UPDATE OF text ON `posts` BEGIN
  INSERT INTO posts_fts(posts_fts, rowid, text) VALUES ('delete', old.seq, old.text);
  INSERT INTO posts_fts(rowid, text) VALUES (new.seq, new.text);
END;
