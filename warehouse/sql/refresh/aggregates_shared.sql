-- The small summary tables, recomputed whole after either refresh (aggregates.sql or
-- aggregates_incremental.sql): their distinct counts are not additive, and they read a few
-- columns only. agg_outlet_stats reads agg_article_facts, so this runs after it is current.

DELETE FROM agg_mentions_year_medium;
INSERT INTO agg_mentions_year_medium
SELECT p.year, m.medium, count(*), count(DISTINCT m.outlet_id)
FROM mentions m JOIN posts p USING (post_id)
GROUP BY ALL;

DELETE FROM agg_citation_sources;
INSERT INTO agg_citation_sources
SELECT COALESCE(c.source, '(no source)'),
       lower(regexp_extract(c.url, '^[a-z]+://(?:www\.)?([^/:?#]+)', 1)),
       count(*), count(DISTINCT c.article_id), min(a.year), max(a.year)
FROM citations c LEFT JOIN articles a USING (article_id)
WHERE NOT c.is_comment
GROUP BY ALL;

DELETE FROM agg_outlet_stats;
INSERT INTO agg_outlet_stats
WITH by_kind AS (
    SELECT outlet_id, kind, count(*) AS n FROM agg_article_facts WHERE outlet_id IS NOT NULL GROUP BY ALL
), kinds AS (
    SELECT outlet_id, map(list(kind ORDER BY kind), list(n ORDER BY kind)) AS pieces_by_kind
    FROM by_kind GROUP BY outlet_id
), pieces AS (
    SELECT outlet_id, count(*) AS pieces, min(year) AS first_year, max(year) AS last_year,
           min(published_date) AS first_date, max(published_date) AS last_date
    FROM agg_article_facts WHERE outlet_id IS NOT NULL GROUP BY outlet_id
), ment AS (
    SELECT outlet_id, count(*) AS mentions FROM mentions WHERE outlet_id IS NOT NULL GROUP BY outlet_id
)
SELECT outlet_id, COALESCE(pieces.pieces, 0), pieces.first_year, pieces.last_year, pieces.first_date,
       pieces.last_date, kinds.pieces_by_kind, COALESCE(ment.mentions, 0)
FROM pieces
FULL JOIN ment USING (outlet_id)
LEFT JOIN kinds USING (outlet_id);
