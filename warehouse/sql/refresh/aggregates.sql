-- The per-row agg_* summary tables behind the dashboard: ONE definition for both refreshes.
-- (The small tables recomputed whole are in aggregate_totals.sql, run after this.)
--
-- Run by warehouse/aggregates.py after the temp tables _dirty_articles(article_id),
-- _dirty_posts(post_id) and _dirty_dumps(dump_id) name whose summary rows to rebuild, with the
-- temp view _current_sightings (the sightings that count: warehouse/identity.py, CURRENT_SIGHTINGS):
--   incremental refresh: what the last loads touched (refresh_pending), so a nightly run costs what
--                        its new dumps touched, not what the warehouse holds;
--   full refresh:        every article, post and dump, after the per-row tables were emptied, in
--                        parts of consecutive articles in the dashboard's order (so memory is
--                        bounded by the part, not the warehouse): the same statements rebuild
--                        everything, and the additive counts below start from nothing.
-- Rows are inserted in the order the dashboard lists them: a full refresh stores each table in
-- about that order (exactly, for agg_article_facts), so the dashboard's top-N queries read the
-- first row groups only.
-- Every summary row belongs to one writer (writer_id, last column): the dashboard filters by it and
-- adds the writers up for "all writers".

-- Pieces per topic and year and pieces/words per year and outlet (per writer) are additive: take
-- the dirty articles' old summary rows off and put their new rows on.
CREATE OR REPLACE TEMP TABLE _output_delta AS
SELECT writer_id, year, COALESCE(outlet, '(unknown outlet)') AS outlet, outlet_id, -count(*) AS n,
       -sum(word_count) AS w
FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY ALL;

-- The values the Articles filters offer (kind, author, date basis), pieces per writer: additive too.
-- (A view: read before the dirty articles' rows are replaced, and again after.)
CREATE OR REPLACE TEMP VIEW _dirty_article_values AS
SELECT writer_id, field, value FROM (
    SELECT writer_id, article_id, 'kind' AS field, kind AS value FROM agg_article_facts
    UNION ALL
    SELECT writer_id, article_id, 'author', unnest(list_distinct(authors)) FROM agg_article_facts
    UNION ALL
    SELECT writer_id, article_id, 'date_basis', date_basis FROM agg_article_facts
)
WHERE value IS NOT NULL AND article_id IN (SELECT article_id FROM _dirty_articles);

CREATE OR REPLACE TEMP TABLE _value_delta AS
SELECT writer_id, field, value, -count(*) AS n FROM _dirty_article_values GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _topic_delta AS
SELECT writer_id, topic, year, -count(*) AS n
FROM (SELECT writer_id, unnest(topics) AS topic, year FROM agg_article_facts
      WHERE article_id IN (SELECT article_id FROM _dirty_articles))
GROUP BY ALL;

-- The dirty articles' provenance and topics, materialised first (as CTEs beside the join and the
-- sort below they needed more memory at once).
CREATE OR REPLACE TEMP TABLE _dirty_prov AS
SELECT s.article_id, count(DISTINCT s.dump_id) AS dumps, count(*) AS sightings
FROM _current_sightings s
WHERE s.article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY s.article_id;
CREATE OR REPLACE TEMP TABLE _dirty_topics AS
SELECT x.article_id, list_sort(list(t.name)) AS topics
FROM article_topics x JOIN topics t USING (topic_id)
WHERE x.article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY x.article_id;

DELETE FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles);
INSERT INTO agg_article_facts
SELECT a.article_id, a.title, a.standfirst, a.outlet_id, o.name, a.kind, a.authors,
       a.published_date, a.year, a.date_basis, a.date_min, a.date_max, a.word_count,
       COALESCE(tp.topics, []::VARCHAR[]), COALESCE(prov.dumps, 0), COALESCE(prov.sightings, 0),
       a.best_post_id, a.first_seen_at, a.last_seen_at, a.writer_id
FROM articles a
LEFT JOIN outlets o USING (outlet_id)
LEFT JOIN _dirty_topics tp USING (article_id)
LEFT JOIN _dirty_prov prov USING (article_id)
WHERE a.article_id IN (SELECT article_id FROM _dirty_articles)
ORDER BY a.year DESC NULLS LAST, a.published_date DESC NULLS LAST, a.title;

INSERT INTO _topic_delta
SELECT writer_id, topic, year, count(*)
FROM (SELECT writer_id, unnest(topics) AS topic, year FROM agg_article_facts
      WHERE article_id IN (SELECT article_id FROM _dirty_articles))
GROUP BY ALL;

INSERT INTO _value_delta SELECT writer_id, field, value, count(*) FROM _dirty_article_values GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE _value_new AS
SELECT writer_id, field, value, sum(n) AS n FROM (
    SELECT g.writer_id, g.field, g.value, g.pieces AS n FROM agg_article_values g
    WHERE EXISTS (SELECT 1 FROM _value_delta k WHERE k.writer_id = g.writer_id AND k.field = g.field
                  AND k.value = g.value)
    UNION ALL
    SELECT writer_id, field, value, n FROM _value_delta
) GROUP BY ALL;
DELETE FROM agg_article_values g
WHERE EXISTS (SELECT 1 FROM _value_delta k WHERE k.writer_id = g.writer_id AND k.field = g.field
              AND k.value = g.value);
INSERT INTO agg_article_values SELECT field, value, n, writer_id FROM _value_new WHERE n <> 0;
DROP VIEW _dirty_article_values;  -- a view outlives the refresh in the catalog: leave none behind

INSERT INTO _output_delta
SELECT writer_id, year, COALESCE(outlet, '(unknown outlet)'), outlet_id, count(*), sum(word_count)
FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE _output_keys AS
SELECT DISTINCT writer_id, year, outlet, outlet_id FROM _output_delta;
CREATE OR REPLACE TEMP TABLE _output_new AS
SELECT writer_id, year, outlet, outlet_id, sum(n) AS n, sum(w) AS w FROM (
    SELECT g.writer_id, g.year, g.outlet, g.outlet_id, g.pieces AS n, g.words AS w
    FROM agg_output_year_outlet g
    WHERE EXISTS (SELECT 1 FROM _output_keys k WHERE k.writer_id = g.writer_id
                  AND k.year IS NOT DISTINCT FROM g.year
                  AND k.outlet = g.outlet AND k.outlet_id IS NOT DISTINCT FROM g.outlet_id)
    UNION ALL
    SELECT writer_id, year, outlet, outlet_id, n, w FROM _output_delta
) GROUP BY ALL;
DELETE FROM agg_output_year_outlet g
WHERE EXISTS (SELECT 1 FROM _output_keys k WHERE k.writer_id = g.writer_id
              AND k.year IS NOT DISTINCT FROM g.year
              AND k.outlet = g.outlet AND k.outlet_id IS NOT DISTINCT FROM g.outlet_id);
INSERT INTO agg_output_year_outlet
SELECT year, outlet, outlet_id, n, CAST(w AS BIGINT), writer_id FROM _output_new WHERE n <> 0;

CREATE OR REPLACE TEMP TABLE _topic_keys AS SELECT DISTINCT writer_id, topic, year FROM _topic_delta;
CREATE OR REPLACE TEMP TABLE _topic_new AS
SELECT writer_id, topic, year, sum(n) AS n FROM (
    SELECT g.writer_id, g.topic, g.year, g.pieces AS n FROM agg_topic_year g
    WHERE EXISTS (SELECT 1 FROM _topic_keys k WHERE k.writer_id = g.writer_id AND k.topic = g.topic
                  AND k.year IS NOT DISTINCT FROM g.year)
    UNION ALL
    SELECT writer_id, topic, year, n FROM _topic_delta
) GROUP BY ALL;
DELETE FROM agg_topic_year g
WHERE EXISTS (SELECT 1 FROM _topic_keys k WHERE k.writer_id = g.writer_id AND k.topic = g.topic
              AND k.year IS NOT DISTINCT FROM g.year);
INSERT INTO agg_topic_year
SELECT n.topic, t.topic_id, n.year, n.n, n.writer_id FROM _topic_new n JOIN topics t ON t.name = n.topic
WHERE n.n <> 0;

-- The dirty posts' rows, their mentions' and notes' articles: gathered first. In one statement with
-- the joins, DuckDB's planner filtered last and hashed every post and article (a million rows each),
-- beyond the writer's memory.
CREATE OR REPLACE TEMP TABLE _dirty_post_rows AS
SELECT post_id, article_id, year, writer_id FROM posts WHERE post_id IN (SELECT post_id FROM _dirty_posts);
CREATE OR REPLACE TEMP TABLE _dirty_notes AS
SELECT * FROM citations WHERE post_id IN (SELECT post_id FROM _dirty_posts);
CREATE OR REPLACE TEMP TABLE _dirty_titles AS
SELECT article_id, year, title FROM articles
WHERE article_id IN (SELECT article_id FROM _dirty_post_rows UNION SELECT article_id FROM _dirty_notes);

DELETE FROM agg_mention_facts WHERE post_id IN (SELECT post_id FROM _dirty_posts);
INSERT INTO agg_mention_facts
SELECT m.post_id, m.mention_no, p.year, COALESCE(o.name, m.outlet_text, '(unnamed)'), m.medium, m.about,
       a.title, p.article_id, m.evidence, p.writer_id
FROM mentions m
JOIN _dirty_post_rows p USING (post_id)
LEFT JOIN outlets o USING (outlet_id)
LEFT JOIN _dirty_titles a ON a.article_id = p.article_id
ORDER BY p.year DESC NULLS LAST, 4, m.mention_no;

DELETE FROM agg_citation_facts WHERE post_id IN (SELECT post_id FROM _dirty_posts);
INSERT INTO agg_citation_facts
SELECT c.post_id, c.citation_no, a.year, a.title, c.note_number, c.source, c.title, c.url, c.cited_date,
       c.is_comment, c.article_id, p.writer_id
FROM _dirty_notes c JOIN _dirty_post_rows p USING (post_id) LEFT JOIN _dirty_titles a ON a.article_id = c.article_id
ORDER BY a.year DESC NULLS LAST, a.title, c.citation_no;

-- Problems: low-confidence posts per changed dump, pieces per dirty article.
DELETE FROM agg_data_quality
WHERE (issue = 'low_confidence_post' AND dump_id IN (SELECT dump_id FROM _dirty_dumps))
   OR (issue <> 'low_confidence_post' AND article_id IN (SELECT article_id FROM _dirty_articles));
INSERT INTO agg_data_quality
SELECT * FROM (
    SELECT 'low_confidence_post', d.file_name, s.seq, s.post_id, s.article_id,
           printf('confidence %.2f', s.confidence), s.dump_id, d.writer_id
    FROM _current_sightings s JOIN dumps d USING (dump_id)
    WHERE s.confidence < 0.6 AND s.dump_id IN (SELECT dump_id FROM _dirty_dumps)
    UNION ALL
    SELECT 'piece_without_outlet', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL, a.writer_id
    FROM articles a WHERE a.outlet_id IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles)
    UNION ALL
    SELECT 'piece_without_year', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL, a.writer_id
    FROM articles a WHERE a.year IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles)
    UNION ALL
    SELECT 'piece_without_stated_date', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL, a.writer_id
    FROM articles a WHERE a.published_date IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles)
)
ORDER BY 1, 2 NULLS LAST, 3;  -- issue, dump file, seq: the Data quality page's order
