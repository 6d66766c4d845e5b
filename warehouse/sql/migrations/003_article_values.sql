-- Migration 003: the values the Articles filters offer, counted (issue 17).
--
-- The Articles page offers every kind, author and date basis the (selected writer's) pieces have;
-- at a million articles finding them meant unnesting every article's authors on each page view
-- (about 40 ms of CPU). This summary holds one row per writer, field and value with its number of
-- pieces, kept up to date by the refresh (sql/refresh/aggregates.sql) like agg_topic_year. It is
-- filled here from agg_article_facts, so a warehouse upgraded in place refreshes it incrementally
-- from the first run on. What each column means: comments.sql.

CREATE TABLE agg_article_values (
    field            VARCHAR NOT NULL,
    value            VARCHAR NOT NULL,
    pieces           BIGINT NOT NULL,
    writer_id        VARCHAR NOT NULL
);

INSERT INTO agg_article_values
SELECT field, value, count(*), writer_id FROM (
    SELECT writer_id, 'kind' AS field, kind AS value FROM agg_article_facts
    UNION ALL
    SELECT writer_id, 'author', unnest(list_distinct(authors)) FROM agg_article_facts
    UNION ALL
    SELECT writer_id, 'date_basis', date_basis FROM agg_article_facts
)
WHERE value IS NOT NULL
GROUP BY ALL;
