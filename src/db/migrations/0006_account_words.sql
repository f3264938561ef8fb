-- Where a directory or account search for a prefix finds its accounts without reading every account: a row for
-- each account's handle and one for each word start of its name key (the key from that word to its end), so a
-- prefix of a handle, of a name or of any word of it ("smi", "ann sm") is one index range. Kept in step with
-- accounts by triggers, whoever writes them; a rename deletes exactly its old rows, by the primary key. The word
-- starts are the positions 0..length-1 of the key (a JSON array of that many zeros, indexed by json_each) that
-- are 0 or follow a space, as LIKE '% ' || q matched them.
CREATE TABLE `account_words` (
  `word` text NOT NULL,
  `account_id` integer NOT NULL,
  PRIMARY KEY (`word`, `account_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TRIGGER `account_words_ai` AFTER INSERT ON `accounts` BEGIN
  INSERT OR IGNORE INTO account_words (word, account_id) VALUES (new.handle, new.id);
  INSERT OR IGNORE INTO account_words (word, account_id)
    SELECT substr(new.name_key, p.key + 1), new.id
    FROM json_each('[' || replace(printf('%.*c', length(new.name_key), 'x'), 'x', '0,') || '0]') p
    WHERE p.key < length(new.name_key) AND (p.key = 0 OR substr(new.name_key, p.key, 1) = ' ');
END;
--> statement-breakpoint
CREATE TRIGGER `account_words_au` AFTER UPDATE OF handle, name_key ON `accounts` BEGIN
  DELETE FROM account_words WHERE account_id = old.id AND word IN (
    SELECT old.handle UNION ALL
    SELECT substr(old.name_key, p.key + 1)
    FROM json_each('[' || replace(printf('%.*c', length(old.name_key), 'x'), 'x', '0,') || '0]') p
    WHERE p.key < length(old.name_key) AND (p.key = 0 OR substr(old.name_key, p.key, 1) = ' '));
  INSERT OR IGNORE INTO account_words (word, account_id) VALUES (new.handle, new.id);
  INSERT OR IGNORE INTO account_words (word, account_id)
    SELECT substr(new.name_key, p.key + 1), new.id
    FROM json_each('[' || replace(printf('%.*c', length(new.name_key), 'x'), 'x', '0,') || '0]') p
    WHERE p.key < length(new.name_key) AND (p.key = 0 OR substr(new.name_key, p.key, 1) = ' ');
END;
--> statement-breakpoint
CREATE TRIGGER `account_words_ad` AFTER DELETE ON `accounts` BEGIN
  DELETE FROM account_words WHERE account_id = old.id AND word IN (
    SELECT old.handle UNION ALL
    SELECT substr(old.name_key, p.key + 1)
    FROM json_each('[' || replace(printf('%.*c', length(old.name_key), 'x'), 'x', '0,') || '0]') p
    WHERE p.key < length(old.name_key) AND (p.key = 0 OR substr(old.name_key, p.key, 1) = ' '));
END;
--> statement-breakpoint
INSERT OR IGNORE INTO account_words (word, account_id) SELECT handle, id FROM accounts;
--> statement-breakpoint
INSERT OR IGNORE INTO account_words (word, account_id)
  SELECT substr(a.name_key, p.key + 1), a.id
  FROM accounts a, json_each('[' || replace(printf('%.*c', length(a.name_key), 'x'), 'x', '0,') || '0]') p
  WHERE p.key < length(a.name_key) AND (p.key = 0 OR substr(a.name_key, p.key, 1) = ' ');
