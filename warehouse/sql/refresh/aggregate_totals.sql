-- The small agg_* tables, recomputed whole by either refresh after aggregates.sql: their distinct
-- counts are not additive, and they read a few columns only. agg_outlet_stats reads
-- agg_article_facts, now current. Run once per refresh by warehouse/aggregates.py.
DELETE FROM agg_mentions_year_medium;
INSERT INTO agg_mentions_year_medium
SELECT p.year, m.medium, count(*), count(DISTINCT m.outlet_id), p.writer_id
FROM mentions m JOIN posts p USING (post_id)
GROUP BY ALL;

-- Read from agg_citation_facts (current, one row per note with its writer and article year): joining
-- every note to its post and article hashed a million of each. Distinct articles are counted in
-- two steps, because DuckDB's count(DISTINCT) states do not spill.
DELETE FROM agg_citation_sources;
INSERT INTO agg_citation_sources
SELECT source, domain, sum(n), count(article_id), min(year), max(year), writer_id FROM (
    SELECT COALESCE(source, '(no source)') AS source,
           lower(regexp_extract(url, '^[a-z]+://(?:www\.)?([^/:?#]+)', 1)) AS domain,
           article_id, count(*) AS n, min(year) AS year, writer_id
    FROM agg_citation_facts WHERE NOT is_comment
    GROUP BY ALL
)
GROUP BY ALL;

DELETE FROM agg_outlet_stats;
INSERT INTO agg_outlet_stats
WITH by_kind AS (
    SELECT writer_id, outlet_id, kind, count(*) AS n FROM agg_article_facts WHERE outlet_id IS NOT NULL
    GROUP BY ALL
), kinds AS (
    SELECT writer_id, outlet_id, map(list(kind ORDER BY kind), list(n ORDER BY kind)) AS pieces_by_kind
    FROM by_kind GROUP BY writer_id, outlet_id
), pieces AS (
    SELECT writer_id, outlet_id, count(*) AS pieces, min(year) AS first_year, max(year) AS last_year,
           min(published_date) AS first_date, max(published_date) AS last_date
    FROM agg_article_facts WHERE outlet_id IS NOT NULL GROUP BY writer_id, outlet_id
), ment AS (
    SELECT p.writer_id, m.outlet_id, count(*) AS mentions FROM mentions m JOIN posts p USING (post_id)
    WHERE m.outlet_id IS NOT NULL GROUP BY p.writer_id, m.outlet_id
)
SELECT outlet_id, COALESCE(pieces.pieces, 0), pieces.first_year, pieces.last_year, pieces.first_date,
       pieces.last_date, kinds.pieces_by_kind, COALESCE(ment.mentions, 0), writer_id
FROM pieces
FULL JOIN ment USING (writer_id, outlet_id)
LEFT JOIN kinds USING (writer_id, outlet_id);
