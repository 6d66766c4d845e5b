-- bylines text search index (schema "search"): which articles contain which words.
-- Built and kept in step with the articles by warehouse/search_index.py after every load; the
-- dashboard's text search reads it. Not in the numbered schema files: it is a derived index the
-- writer rebuilds from `articles` whenever it is missing, like the agg_* summary tables.

CREATE SCHEMA IF NOT EXISTS search;

-- Two tiers, so a nightly run never rewrites the big table: `postings` is written in full (sorted
-- by word, so a lookup reads only its words' row groups) by a full build or a merge; the articles
-- re-indexed since are listed in `recent_articles` (their rows in `postings` no longer count) and
-- their current words are in `recent_postings`. `all_postings` is what counts.
CREATE TABLE IF NOT EXISTS search.postings (
    word             VARCHAR NOT NULL,         -- a word of the piece (see search.words_of)
    article_id       VARCHAR NOT NULL          -- -> articles
);

CREATE TABLE IF NOT EXISTS search.recent_articles (
    article_id       VARCHAR NOT NULL          -- re-indexed (or removed) since `postings` was written
);

CREATE TABLE IF NOT EXISTS search.recent_postings (
    word             VARCHAR NOT NULL,
    article_id       VARCHAR NOT NULL          -- one of search.recent_articles that still exists
);

CREATE TABLE IF NOT EXISTS search.words (
    word             VARCHAR NOT NULL,         -- every word of the postings, once
    stem             VARCHAR NOT NULL          -- its Snowball English stem: 'ports' -> 'port'
);

CREATE TABLE IF NOT EXISTS search.state (
    built_at         TIMESTAMP NOT NULL,       -- when `postings` was last written in full
    sorted_rows      BIGINT NOT NULL           -- rows written then
);

CREATE OR REPLACE VIEW search.all_postings AS
SELECT word, article_id FROM search.postings
WHERE article_id NOT IN (SELECT article_id FROM search.recent_articles)
UNION ALL
SELECT word, article_id FROM search.recent_postings;

-- The words of a text as the index sees them: lower case, accents stripped, runs of letters and
-- digits, each once. warehouse/search_index.py tokenizes queries the same way in Python.
CREATE OR REPLACE MACRO search.words_of(txt) AS
    list_distinct(regexp_extract_all(lower(strip_accents(txt)), '[\p{L}\p{N}]+'));

COMMENT ON TABLE search.postings IS 'Text search index, bulk tier: one row per distinct word of an article''s title, standfirst and body, stored sorted by word; rows of articles in search.recent_articles no longer count.';
COMMENT ON COLUMN search.postings.word IS 'a word of the piece: lower case, accents stripped, letters and digits';
COMMENT ON COLUMN search.postings.article_id IS '-> articles';
COMMENT ON TABLE search.recent_articles IS 'Articles re-indexed (or removed) since search.postings was written in full; their words are in search.recent_postings.';
COMMENT ON COLUMN search.recent_articles.article_id IS '-> articles (or an article since removed)';
COMMENT ON TABLE search.recent_postings IS 'Text search index, recent tier: the words of search.recent_articles, as search.postings would hold them.';
COMMENT ON COLUMN search.recent_postings.word IS 'a word of the piece';
COMMENT ON COLUMN search.recent_postings.article_id IS '-> articles';
COMMENT ON VIEW search.all_postings IS 'The text search index as it stands: which article contains which word (both tiers).';
COMMENT ON COLUMN search.all_postings.word IS 'a word of the piece: lower case, accents stripped, letters and digits';
COMMENT ON COLUMN search.all_postings.article_id IS '-> articles';
COMMENT ON TABLE search.words IS 'Vocabulary of the text search index, with the stem that lets a search for one form find the others.';
COMMENT ON COLUMN search.words.word IS 'a word of the postings (until the next full build, also words no article has any more)';
COMMENT ON COLUMN search.words.stem IS 'Snowball English stem of the word';
COMMENT ON TABLE search.state IS 'Bookkeeping of the text search index: when search.postings was last written in full.';
COMMENT ON COLUMN search.state.built_at IS 'when search.postings was last written in full, sorted by word (UTC)';
COMMENT ON COLUMN search.state.sorted_rows IS 'rows of search.postings written then';
