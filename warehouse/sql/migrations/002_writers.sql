-- Migration 002: many writers in one warehouse (issue 16).
--
-- A `writers` table, and the writer on every dump, post sighting, post and article and on every
-- summary table the dashboard filters by writer. Everything already in the warehouse was one
-- blog's: it belongs to the default writer ('default'), which the column default assigns to the
-- existing rows (and to any row a writer leaves unnamed). Ids do not change: the default writer
-- keeps the parser's post and article ids (other writers' ids are scoped to them, see
-- warehouse/writers.py). What each column means: comments.sql.

CREATE TABLE writers (
    writer_id        VARCHAR PRIMARY KEY,
    display_name     VARCHAR NOT NULL,
    site             VARCHAR,
    aliases          VARCHAR[] NOT NULL
);
INSERT INTO writers (writer_id, display_name, site, aliases) VALUES ('default', 'Default writer', NULL, []);

ALTER TABLE dumps ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE dumps ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE post_sightings ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE post_sightings ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE posts ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE posts ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE articles ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE articles ALTER COLUMN writer_id SET NOT NULL;

ALTER TABLE agg_article_facts ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_article_facts ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_output_year_outlet ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_output_year_outlet ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_topic_year ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_topic_year ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_outlet_stats ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_outlet_stats ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_mentions_year_medium ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_mentions_year_medium ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_citation_sources ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_citation_sources ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_mention_facts ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_mention_facts ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_citation_facts ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_citation_facts ALTER COLUMN writer_id SET NOT NULL;
ALTER TABLE agg_data_quality ADD COLUMN writer_id VARCHAR DEFAULT 'default';
ALTER TABLE agg_data_quality ALTER COLUMN writer_id SET NOT NULL;
