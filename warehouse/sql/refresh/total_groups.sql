-- The groups of the small agg_* tables (aggregate_totals.sql) that the dirty rows fall in, as the
-- per-row summaries hold them. Run by warehouse/aggregates.py twice in one refresh: before
-- aggregates.sql rebuilds the dirty rows (the groups they leave: a post whose year changed, a
-- re-derived or deleted note or mention) and after it (the groups they join). Why the per-row
-- summaries: the loads have already rewritten mentions, citations, posts and articles, so the old
-- groups are kept only there, and every total's input row changes only with a dirty post's or
-- article's summary row (integrity.py's *_in_step rules keep those one row per base row).
CREATE TEMP TABLE IF NOT EXISTS _groups_mentions (writer_id VARCHAR, year INTEGER, medium VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS _groups_sources (writer_id VARCHAR, source VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS _groups_outlets (writer_id VARCHAR, outlet_id VARCHAR);

INSERT INTO _groups_mentions
SELECT DISTINCT writer_id, year, medium FROM agg_mention_facts
WHERE post_id IN (SELECT post_id FROM _dirty_posts);

-- by source: a group is every domain of one source (the domain is parsed from the note's URL; a
-- source has one or two)
INSERT INTO _groups_sources
SELECT DISTINCT writer_id, COALESCE(source, '(no source)') FROM agg_citation_facts
WHERE NOT is_comment AND post_id IN (SELECT post_id FROM _dirty_posts);

-- Pieces by their outlet id; mentions by the outlet name their summary row shows, which is the
-- outlet's current name (outlets.name) unless a load renamed it: then every group of that outlet.
-- (A mention whose outlet is free text may match an outlet's name too: one more group recomputed.)
INSERT INTO _groups_outlets
SELECT writer_id, outlet_id FROM agg_article_facts
WHERE outlet_id IS NOT NULL AND article_id IN (SELECT article_id FROM _dirty_articles)
UNION
SELECT f.writer_id, o.outlet_id FROM agg_mention_facts f JOIN outlets o ON o.name = f.outlet
WHERE f.post_id IN (SELECT post_id FROM _dirty_posts)
UNION
SELECT writer_id, outlet_id FROM agg_outlet_stats
WHERE outlet_id IN (SELECT key FROM refresh_pending WHERE kind = 'outlet');
