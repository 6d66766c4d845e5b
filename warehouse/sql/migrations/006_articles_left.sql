-- Migration 006: how many articles a run removed (ingest_runs.articles_left).
--
-- A run can take pieces out of the record: a page crawled again no longer lists a post between
-- posts it still lists (withdrawn or retitled), or a re-parse reads a post otherwise. Until now the
-- run log counted only new and updated articles, so such a run looked like one that changed
-- nothing. Older runs did not count it: NULL. What each column means: comments.sql.

ALTER TABLE ingest_runs ADD COLUMN articles_left INTEGER;
