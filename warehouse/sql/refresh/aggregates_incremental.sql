-- Bring the agg_* summary tables up to date after loads, touching only what changed
-- (run by refresh_derived; warehouse/load.py fills the temp tables _dirty_articles(article_id)
-- and _dirty_posts(post_id)). The result is the same as aggregates.sql, which recomputes every
-- row; this costs what the new dumps touched instead of what the warehouse holds.

-- Pieces per topic and year: counts are additive, so take the dirty articles' old rows off and
-- put their new rows on (the old rows are the summary rows about to be replaced).
-- Pieces and words per year and outlet: additive too.
CREATE OR REPLACE TEMP TABLE _output_delta AS
SELECT year, COALESCE(outlet, '(unknown outlet)') AS outlet, outlet_id, -count(*) AS n, -sum(word_count) AS w
FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY ALL;

CREATE OR REPLACE TEMP TABLE _topic_delta AS
SELECT topic, year, -count(*) AS n
FROM (SELECT unnest(topics) AS topic, year FROM agg_article_facts
      WHERE article_id IN (SELECT article_id FROM _dirty_articles))
GROUP BY ALL;

DELETE FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles);
INSERT INTO agg_article_facts
WITH prov AS (
    SELECT s.article_id, count(DISTINCT s.dump_id) AS dumps, count(*) AS sightings
    FROM post_sightings s
    JOIN dumps d USING (dump_id)
    WHERE s.article_id IN (SELECT article_id FROM _dirty_articles)
      AND d.status = 'loaded' AND d.superseded_by IS NULL
    GROUP BY s.article_id
), tp AS (
    SELECT x.article_id, list(t.name ORDER BY t.name) AS topics
    FROM article_topics x JOIN topics t USING (topic_id)
    WHERE x.article_id IN (SELECT article_id FROM _dirty_articles)
    GROUP BY x.article_id
)
SELECT a.article_id, a.title, a.standfirst, a.outlet_id, o.name, a.kind, a.authors,
       a.published_date, a.year, a.date_basis, a.date_min, a.date_max, a.word_count,
       COALESCE(tp.topics, []::VARCHAR[]), COALESCE(prov.dumps, 0), COALESCE(prov.sightings, 0),
       a.best_post_id, a.first_seen_at, a.last_seen_at
FROM articles a
LEFT JOIN outlets o USING (outlet_id)
LEFT JOIN tp USING (article_id)
LEFT JOIN prov USING (article_id)
WHERE a.article_id IN (SELECT article_id FROM _dirty_articles);

INSERT INTO _topic_delta
SELECT topic, year, count(*)
FROM (SELECT unnest(topics) AS topic, year FROM agg_article_facts
      WHERE article_id IN (SELECT article_id FROM _dirty_articles))
GROUP BY ALL;

INSERT INTO _output_delta
SELECT year, COALESCE(outlet, '(unknown outlet)'), outlet_id, count(*), sum(word_count)
FROM agg_article_facts WHERE article_id IN (SELECT article_id FROM _dirty_articles)
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE _output_keys AS SELECT DISTINCT year, outlet, outlet_id FROM _output_delta;
CREATE OR REPLACE TEMP TABLE _output_new AS
SELECT year, outlet, outlet_id, sum(n) AS n, sum(w) AS w FROM (
    SELECT g.year, g.outlet, g.outlet_id, g.pieces AS n, g.words AS w FROM agg_output_year_outlet g
    WHERE EXISTS (SELECT 1 FROM _output_keys k WHERE k.year IS NOT DISTINCT FROM g.year
                  AND k.outlet = g.outlet AND k.outlet_id IS NOT DISTINCT FROM g.outlet_id)
    UNION ALL
    SELECT year, outlet, outlet_id, n, w FROM _output_delta
) GROUP BY ALL;
DELETE FROM agg_output_year_outlet g
WHERE EXISTS (SELECT 1 FROM _output_keys k WHERE k.year IS NOT DISTINCT FROM g.year
              AND k.outlet = g.outlet AND k.outlet_id IS NOT DISTINCT FROM g.outlet_id);
INSERT INTO agg_output_year_outlet
SELECT year, outlet, outlet_id, n, CAST(w AS BIGINT) FROM _output_new WHERE n <> 0;

CREATE OR REPLACE TEMP TABLE _topic_keys AS SELECT DISTINCT topic, year FROM _topic_delta;
CREATE OR REPLACE TEMP TABLE _topic_new AS
SELECT topic, year, sum(n) AS n FROM (
    SELECT g.topic, g.year, g.pieces AS n FROM agg_topic_year g
    WHERE EXISTS (SELECT 1 FROM _topic_keys k WHERE k.topic = g.topic AND k.year IS NOT DISTINCT FROM g.year)
    UNION ALL
    SELECT topic, year, n FROM _topic_delta
) GROUP BY ALL;
DELETE FROM agg_topic_year g
WHERE EXISTS (SELECT 1 FROM _topic_keys k WHERE k.topic = g.topic AND k.year IS NOT DISTINCT FROM g.year);
INSERT INTO agg_topic_year
SELECT n.topic, t.topic_id, n.year, n.n FROM _topic_new n JOIN topics t ON t.name = n.topic
WHERE n.n <> 0;

DELETE FROM agg_mention_facts WHERE post_id IN (SELECT post_id FROM _dirty_posts);
INSERT INTO agg_mention_facts
SELECT m.post_id, m.mention_no, p.year, COALESCE(o.name, m.outlet_text, '(unnamed)'), m.medium, m.about,
       a.title, p.article_id, m.evidence
FROM mentions m
JOIN posts p USING (post_id)
LEFT JOIN outlets o USING (outlet_id)
LEFT JOIN articles a ON a.article_id = p.article_id
WHERE m.post_id IN (SELECT post_id FROM _dirty_posts);

DELETE FROM agg_citation_facts WHERE post_id IN (SELECT post_id FROM _dirty_posts);
INSERT INTO agg_citation_facts
SELECT c.post_id, c.citation_no, a.year, a.title, c.note_number, c.source, c.title, c.url, c.cited_date,
       c.is_comment, c.article_id
FROM citations c LEFT JOIN articles a USING (article_id)
WHERE c.post_id IN (SELECT post_id FROM _dirty_posts);

-- Problems: low-confidence posts per changed dump, pieces per dirty article.
DELETE FROM agg_data_quality
WHERE (issue = 'low_confidence_post' AND dump_id IN (SELECT dump_id FROM _dirty_dumps))
   OR (issue <> 'low_confidence_post' AND article_id IN (SELECT article_id FROM _dirty_articles));
INSERT INTO agg_data_quality
SELECT 'low_confidence_post', d.file_name, s.seq, s.post_id, s.article_id,
       printf('confidence %.2f', s.confidence), s.dump_id
FROM post_sightings s JOIN v_current_dumps d USING (dump_id)
WHERE s.confidence < 0.6 AND s.dump_id IN (SELECT dump_id FROM _dirty_dumps)
UNION ALL
SELECT 'piece_without_outlet', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
FROM articles a WHERE a.outlet_id IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles)
UNION ALL
SELECT 'piece_without_year', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
FROM articles a WHERE a.year IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles)
UNION ALL
SELECT 'piece_without_stated_date', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
FROM articles a WHERE a.published_date IS NULL AND a.article_id IN (SELECT article_id FROM _dirty_articles);
