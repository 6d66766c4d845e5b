-- Migration 004: what the next integrity checks must cover (issue 17, scoped checks).
--
-- (Numbered 005 on main if another 004 lands first: the number is only its place in the order.)
--
-- The integrity rules (warehouse/integrity.py) used to scan whole tables on every run: about 5 CPU
-- seconds at a million articles for a nightly run that wrote one dump. A run's refresh now keeps
-- here the keys it wrote (what refresh_pending listed, and the summary rows it rebuilt), and the
-- checks read only the rows those keys reach. The rows stay until checks have passed over them
-- (the next writer after the passing checks empties the table), so a run whose checks failed, or
-- that died, leaves its keys to the next run's checks. A full refresh (a backfill, a rebuild, a
-- run after a killed one) leaves kind 'everything': the next checks then run whole. Whether the
-- file was changed outside bylines since (then the checks also run whole) is kept beside the file,
-- not in it (warehouse/check_scope.py). What each column means: comments.sql.

CREATE TABLE check_scope (
    kind             VARCHAR NOT NULL,
    key              VARCHAR NOT NULL
);
