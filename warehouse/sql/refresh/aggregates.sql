-- Recompute the agg_* summary tables from the base tables (run by refresh_derived after loads).
-- Set-based and idempotent: each table is emptied and refilled in the caller's transaction.

DELETE FROM agg_article_facts;
INSERT INTO agg_article_facts
WITH prov AS (
    SELECT s.article_id, count(DISTINCT s.dump_id) AS dumps, count(*) AS sightings
    FROM post_sightings s
    JOIN dumps d USING (dump_id)
    WHERE s.article_id IS NOT NULL AND d.status = 'loaded' AND d.superseded_by IS NULL
    GROUP BY s.article_id
), tp AS (
    SELECT x.article_id, list(t.name ORDER BY t.name) AS topics
    FROM article_topics x JOIN topics t USING (topic_id)
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
-- stored in the order the dashboard lists them: its top-N scans then skip most row groups
ORDER BY a.year DESC NULLS LAST, a.published_date DESC NULLS LAST, a.title;

DELETE FROM agg_output_year_outlet;
INSERT INTO agg_output_year_outlet
SELECT year, COALESCE(outlet, '(unknown outlet)'), outlet_id, count(*), CAST(sum(word_count) AS BIGINT)
FROM agg_article_facts
GROUP BY ALL;

DELETE FROM agg_topic_year;
INSERT INTO agg_topic_year
SELECT t.name, x.topic_id, a.year, count(*)
FROM article_topics x
JOIN articles a USING (article_id)
JOIN topics t USING (topic_id)
GROUP BY ALL;

DELETE FROM agg_mention_facts;
INSERT INTO agg_mention_facts
SELECT m.post_id, m.mention_no, p.year, COALESCE(o.name, m.outlet_text, '(unnamed)'), m.medium, m.about,
       a.title, p.article_id, m.evidence
FROM mentions m
JOIN posts p USING (post_id)
LEFT JOIN outlets o USING (outlet_id)
LEFT JOIN articles a ON a.article_id = p.article_id
ORDER BY p.year DESC NULLS LAST, 4, m.mention_no;

DELETE FROM agg_citation_facts;
INSERT INTO agg_citation_facts
SELECT c.post_id, c.citation_no, a.year, a.title, c.note_number, c.source, c.title, c.url, c.cited_date,
       c.is_comment, c.article_id
FROM citations c LEFT JOIN articles a USING (article_id)
ORDER BY a.year DESC NULLS LAST, a.title, c.citation_no;

DELETE FROM agg_data_quality;
INSERT INTO agg_data_quality
SELECT * FROM (
    SELECT 'low_confidence_post' AS issue, d.file_name AS dump_file, s.seq, s.post_id, s.article_id,
           printf('confidence %.2f', s.confidence) AS detail, s.dump_id
    FROM post_sightings s JOIN v_current_dumps d USING (dump_id)
    WHERE s.confidence < 0.6
    UNION ALL
    SELECT 'piece_without_outlet', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
    FROM articles a WHERE a.outlet_id IS NULL
    UNION ALL
    SELECT 'piece_without_year', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
    FROM articles a WHERE a.year IS NULL
    UNION ALL
    SELECT 'piece_without_stated_date', NULL, NULL, a.best_post_id, a.article_id, a.title, NULL
    FROM articles a WHERE a.published_date IS NULL
)
-- stored in the order the Data quality page lists them (its top-N then reads the first row groups)
ORDER BY issue, dump_file NULLS LAST, seq;
