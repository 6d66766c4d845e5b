-- The small agg_* tables, after aggregates.sql: each group's row recomputed from every row of the
-- group, for the groups in temp tables _groups_mentions, _groups_sources and _groups_outlets
-- (total_groups.sql: the groups a refresh's dirty rows left and joined; every group after a full
-- refresh, which empties these tables first). Why by group and not by delta: their distinct counts
-- are not additive. Why not whole: at 1 GB recomputing every group cost about 0.2 CPU s of a
-- one-new-dump run, growing with the warehouse. Each input is narrowed to the groups' keys before
-- its joins and aggregates (DuckDB does not push a semi join on a view's groups into its scans).
-- agg_outlet_stats reads agg_article_facts, now current. Run once per refresh by warehouse/aggregates.py.
DELETE FROM agg_mentions_year_medium g
WHERE EXISTS (SELECT 1 FROM _groups_mentions k WHERE k.writer_id = g.writer_id
              AND k.year IS NOT DISTINCT FROM g.year AND k.medium = g.medium);
INSERT INTO agg_mentions_year_medium
SELECT p.year, m.medium, count(*), count(DISTINCT m.outlet_id), p.writer_id
FROM mentions m
JOIN (SELECT post_id, year, writer_id FROM posts p
      WHERE EXISTS (SELECT 1 FROM _groups_mentions k WHERE k.writer_id = p.writer_id
                    AND k.year IS NOT DISTINCT FROM p.year)) p USING (post_id)
WHERE EXISTS (SELECT 1 FROM _groups_mentions k WHERE k.writer_id = p.writer_id
              AND k.year IS NOT DISTINCT FROM p.year AND k.medium = m.medium)
GROUP BY ALL;

-- Read from agg_citation_facts (current, one row per note with its writer and article year): joining
-- every note to its post and article hashed a million of each. Distinct articles are counted in
-- two steps, because DuckDB's count(DISTINCT) states do not spill.
DELETE FROM agg_citation_sources g
WHERE EXISTS (SELECT 1 FROM _groups_sources k WHERE k.writer_id = g.writer_id AND k.source = g.source);
INSERT INTO agg_citation_sources
SELECT source, domain, sum(n), count(article_id), min(year), max(year), writer_id FROM (
    SELECT COALESCE(source, '(no source)') AS source,
           lower(regexp_extract(url, '^[a-z]+://(?:www\.)?([^/:?#]+)', 1)) AS domain,
           article_id, count(*) AS n, min(year) AS year, writer_id
    FROM agg_citation_facts f
    WHERE NOT is_comment
      AND EXISTS (SELECT 1 FROM _groups_sources k WHERE k.writer_id = f.writer_id
                  AND k.source = COALESCE(f.source, '(no source)'))
    GROUP BY ALL
)
GROUP BY ALL;

DELETE FROM agg_outlet_stats g
WHERE EXISTS (SELECT 1 FROM _groups_outlets k WHERE k.writer_id = g.writer_id AND k.outlet_id = g.outlet_id);
INSERT INTO agg_outlet_stats
WITH facts AS MATERIALIZED (
    SELECT writer_id, outlet_id, kind, year, published_date FROM agg_article_facts f
    WHERE EXISTS (SELECT 1 FROM _groups_outlets k WHERE k.writer_id = f.writer_id AND k.outlet_id = f.outlet_id)
), by_kind AS (
    SELECT writer_id, outlet_id, kind, count(*) AS n FROM facts GROUP BY ALL
), kinds AS (
    SELECT writer_id, outlet_id, map(list(kind ORDER BY kind), list(n ORDER BY kind)) AS pieces_by_kind
    FROM by_kind GROUP BY writer_id, outlet_id
), pieces AS (
    SELECT writer_id, outlet_id, count(*) AS pieces, min(year) AS first_year, max(year) AS last_year,
           min(published_date) AS first_date, max(published_date) AS last_date
    FROM facts GROUP BY writer_id, outlet_id
), ment AS (
    SELECT p.writer_id, m.outlet_id, count(*) AS mentions
    FROM (SELECT post_id, outlet_id FROM mentions
          WHERE outlet_id IN (SELECT outlet_id FROM _groups_outlets)) m
    JOIN posts p USING (post_id)
    WHERE EXISTS (SELECT 1 FROM _groups_outlets k WHERE k.writer_id = p.writer_id AND k.outlet_id = m.outlet_id)
    GROUP BY p.writer_id, m.outlet_id
)
SELECT outlet_id, COALESCE(pieces.pieces, 0), pieces.first_year, pieces.last_year, pieces.first_date,
       pieces.last_date, kinds.pieces_by_kind, COALESCE(ment.mentions, 0), writer_id
FROM pieces
FULL JOIN ment USING (writer_id, outlet_id)
LEFT JOIN kinds USING (writer_id, outlet_id);

DROP TABLE _groups_mentions;
DROP TABLE _groups_sources;
DROP TABLE _groups_outlets;
