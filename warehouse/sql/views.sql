-- bylines warehouse: views. Re-created after the migrations whenever this file or comments.sql
-- changed (warehouse/schema.py), so a changed view needs no migration; every statement is idempotent.
-- "Current" dumps are loaded and not superseded by a newer delivery under the same file name:
-- the contract views show each page as its current delivery lists it. (posts and articles, and the
-- views over them, also keep the posts that fell off the end of a page crawled again, which its
-- superseded delivery retains: dumps.retained_from, warehouse/identity.py.) Every view carries the writer (writer_id, and the display name as
-- `writer` where a join with the small writers table costs nothing): filter by it, or group by it.

CREATE OR REPLACE VIEW v_current_dumps AS
SELECT *
FROM dumps
WHERE status = 'loaded' AND superseded_by IS NULL;

-- ---------------------------------------------------------------- contract views (CONTRACT.md)

CREATE OR REPLACE VIEW v_post_sightings AS
WITH pt AS (
    SELECT t.post_id, list(DISTINCT tp.name ORDER BY tp.name) AS topics
    FROM post_topics t
    JOIN v_current_dumps d USING (dump_id)
    JOIN topics tp USING (topic_id)
    GROUP BY t.post_id
)
SELECT
    d.file_name                                   AS dump_file,
    s.seq                                         AS seq,
    s.start_line                                  AS start_line,
    s.end_line                                    AS end_line,
    s.post_id                                     AS post_id,
    s.article_id                                  AS article_id,
    COALESCE(a.title, s.title)                    AS title,
    o.name                                        AS outlet,
    COALESCE(a.kind, s.kind, 'media-roundup')     AS kind,
    COALESCE(a.published_date, s.published_date) AS published_date,
    CAST(COALESCE(a.year, p.year, s.year) AS INTEGER) AS year,  -- round-ups: the post's inferred year
    COALESCE(a.date_basis, p.date_basis, s.date_basis) AS date_basis,
    COALESCE(a.authors, s.authors, []::VARCHAR[]) AS authors,
    COALESCE(pt.topics, []::VARCHAR[])            AS topics,
    s.writer_id                                   AS writer_id,
    w.display_name                                AS writer
FROM post_sightings s
JOIN v_current_dumps d USING (dump_id)
LEFT JOIN writers w ON w.writer_id = s.writer_id
LEFT JOIN articles a ON a.article_id = s.article_id
LEFT JOIN posts p ON p.post_id = s.post_id
LEFT JOIN outlets o ON o.outlet_id = COALESCE(a.outlet_id, s.outlet_id)
LEFT JOIN pt ON pt.post_id = s.post_id;

CREATE OR REPLACE VIEW v_mentions AS
SELECT
    d.file_name  AS dump_file,
    m.seq        AS seq,
    o.name       AS outlet,
    m.medium     AS medium,
    m.about      AS about,
    m.mention_no AS mention_no,
    m.line       AS line,
    d.writer_id  AS writer_id,
    w.display_name AS writer
FROM sighting_mentions m
JOIN v_current_dumps d USING (dump_id)
LEFT JOIN outlets o ON o.outlet_id = m.outlet_id
LEFT JOIN writers w ON w.writer_id = d.writer_id;

CREATE OR REPLACE VIEW v_citations AS
SELECT
    d.file_name   AS dump_file,
    c.seq         AS seq,
    c.note_number AS note_number,
    c.source      AS source,
    c.title       AS title,
    c.url         AS url,
    c.cited_date  AS cited_date,
    c.is_comment  AS is_comment,
    c.line        AS line,
    d.writer_id   AS writer_id,
    w.display_name AS writer
FROM sighting_citations c
JOIN v_current_dumps d USING (dump_id)
LEFT JOIN writers w ON w.writer_id = d.writer_id;

-- ---------------------------------------------------------------- analyst views (one row per article etc.)

-- One row per writer with what the warehouse holds of them (the dashboard's writer selector, on
-- every page). Pieces, outlets and years come from the per-year-and-outlet summary (a few thousand
-- rows), not from the million articles: the same numbers, 8x cheaper.
CREATE OR REPLACE VIEW v_writers AS
WITH d AS (
    SELECT writer_id, count(*) AS dumps, max(received_at) AS last_received_at
    FROM v_current_dumps GROUP BY writer_id
), a AS (
    SELECT writer_id, sum(pieces)::BIGINT AS pieces, count(DISTINCT outlet_id) AS outlets,
           min(year) AS first_year, max(year) AS last_year
    FROM agg_output_year_outlet GROUP BY writer_id
)
SELECT w.writer_id, w.display_name AS writer, w.site, w.aliases,
       COALESCE(d.dumps, 0) AS dumps, COALESCE(a.pieces, 0) AS pieces, COALESCE(a.outlets, 0) AS outlets,
       a.first_year, a.last_year, d.last_received_at
FROM writers w
LEFT JOIN d USING (writer_id)
LEFT JOIN a USING (writer_id);

-- One row per article with its outlet name, topics and provenance counts: a plain read of the
-- summary table that refresh_derived rebuilds after every load (fast at a million articles).
CREATE OR REPLACE VIEW v_articles AS
SELECT * FROM agg_article_facts;

-- (summary tables, kept up to date by refresh_derived; one row per writer and key: sum over
-- writer_id for every writer together)
CREATE OR REPLACE VIEW mart_output_by_year_outlet AS
SELECT g.year, g.outlet, g.outlet_id, g.pieces, g.words, g.writer_id, w.display_name AS writer
FROM agg_output_year_outlet g LEFT JOIN writers w USING (writer_id);

CREATE OR REPLACE VIEW mart_output_by_topic_year AS
SELECT g.topic, g.topic_id, g.year, g.pieces, g.writer_id, w.display_name AS writer
FROM agg_topic_year g LEFT JOIN writers w USING (writer_id);

-- (the kinds, authors and date bases of the pieces, with how many pieces have each: the Articles filters)
CREATE OR REPLACE VIEW mart_article_values AS
SELECT g.field, g.value, g.pieces, g.writer_id, w.display_name AS writer
FROM agg_article_values g LEFT JOIN writers w USING (writer_id);

CREATE OR REPLACE VIEW mart_mentions_by_year_medium AS
SELECT g.year, g.medium, g.mentions, g.outlets, g.writer_id, w.display_name AS writer
FROM agg_mentions_year_medium g LEFT JOIN writers w USING (writer_id);

CREATE OR REPLACE VIEW mart_citation_sources AS
SELECT g.source, g.domain, g.citations, g.articles, g.first_year, g.last_year, g.writer_id,
       w.display_name AS writer
FROM agg_citation_sources g LEFT JOIN writers w USING (writer_id);

-- (piece and mention counts from a summary table kept up to date by refresh_derived: one row per
-- outlet and writer who published there or appeared there; an outlet nobody has, one row, writer NULL)
CREATE OR REPLACE VIEW mart_outlet_summary AS
SELECT o.outlet_id, o.name AS outlet, o.outlet_kind, o.country, o.domain, o.in_gazetteer, o.needs_review,
       COALESCE(s.pieces, 0) AS pieces, s.first_year, s.last_year,
       s.first_date, s.last_date, s.pieces_by_kind,
       COALESCE(s.mentions, 0) AS mentions, s.writer_id
FROM outlets o
LEFT JOIN agg_outlet_stats s USING (outlet_id);

-- One row per problem an analyst should look at. Low confidence = segmenter confidence below 0.6.
-- (posts and pieces from a summary table kept up to date by refresh_derived; outlets and dumps live)
-- (an outlet to review is everybody's: writer_id NULL)
CREATE OR REPLACE VIEW v_data_quality AS
SELECT issue, dump_file, seq, post_id, article_id, detail, writer_id FROM agg_data_quality
UNION ALL
SELECT 'outlet_needs_review', NULL, NULL, NULL, NULL, o.name, NULL
FROM outlets o WHERE o.needs_review
UNION ALL
SELECT 'quarantined_dump', d.file_name, NULL, NULL, NULL, d.error, d.writer_id
FROM dumps d WHERE d.status = 'quarantined';

-- Every media appearance with its year, outlet name and the post's own piece (summary table).
CREATE OR REPLACE VIEW mart_mentions AS
SELECT year, outlet, medium, about, post_piece, article_id, evidence, post_id, mention_no, writer_id
FROM agg_mention_facts;

-- Every numbered note with the year and title of the citing article (summary table).
CREATE OR REPLACE VIEW mart_citation_notes AS
SELECT year, article, note_number, source, title, url, cited_date, is_comment, article_id, post_id, citation_no,
       writer_id
FROM agg_citation_facts;
