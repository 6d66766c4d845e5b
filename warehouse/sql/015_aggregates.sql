-- bylines warehouse: summary tables behind the analyst views (agg_*).
-- Why tables and not views: at a million articles, aggregating topics, sightings, citations
-- and mentions on every dashboard query costs hundreds of milliseconds; refresh_derived
-- recomputes these after every load (warehouse/sql/refresh/aggregates.sql), in the load's
-- transaction, so they are never out of step with the base tables.

CREATE TABLE IF NOT EXISTS agg_article_facts (
    article_id       VARCHAR PRIMARY KEY,      -- -> articles; the other columns as in articles
    title            VARCHAR NOT NULL,
    standfirst       VARCHAR,
    outlet_id        VARCHAR,
    outlet           VARCHAR,                  -- outlet's canonical name
    kind             VARCHAR NOT NULL,
    authors          VARCHAR[] NOT NULL,
    published_date   DATE,
    year             INTEGER,
    date_basis       VARCHAR,
    date_min         DATE,
    date_max         DATE,
    word_count       INTEGER NOT NULL,
    topics           VARCHAR[] NOT NULL,       -- every topic the piece carries, sorted
    dump_count       INTEGER NOT NULL,         -- current dumps it was seen in
    sighting_count   INTEGER NOT NULL,         -- sightings in current dumps
    best_post_id     VARCHAR NOT NULL,
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_output_year_outlet (
    year             INTEGER,
    outlet           VARCHAR NOT NULL,         -- canonical outlet name, '(unknown outlet)' without one
    outlet_id        VARCHAR,                  -- -> outlets
    pieces           BIGINT NOT NULL,
    words            BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_outlet_stats (
    outlet_id        VARCHAR NOT NULL,         -- -> outlets (only outlets with pieces or mentions)
    pieces           BIGINT NOT NULL,
    first_year       INTEGER,
    last_year        INTEGER,
    first_date       DATE,
    last_date        DATE,
    pieces_by_kind   MAP(VARCHAR, BIGINT),     -- NULL without pieces
    mentions         BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_data_quality (
    issue            VARCHAR NOT NULL,         -- low_confidence_post | piece_without_outlet | ..._year | ..._stated_date
    dump_file        VARCHAR,
    seq              INTEGER,
    post_id          VARCHAR,
    article_id       VARCHAR,
    detail           VARCHAR,
    dump_id          VARCHAR                   -- -> dumps (low-confidence posts), to refresh per dump
);

CREATE TABLE IF NOT EXISTS agg_topic_year (
    topic            VARCHAR NOT NULL,
    topic_id         VARCHAR NOT NULL,
    year             INTEGER,
    pieces           BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_mentions_year_medium (
    year             INTEGER,
    medium           VARCHAR NOT NULL,
    mentions         BIGINT NOT NULL,
    outlets          BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_citation_sources (
    source           VARCHAR NOT NULL,
    domain           VARCHAR,
    citations        BIGINT NOT NULL,
    articles         BIGINT NOT NULL,
    first_year       INTEGER,
    last_year        INTEGER
);

CREATE TABLE IF NOT EXISTS agg_mention_facts (
    post_id          VARCHAR NOT NULL,         -- -> posts
    mention_no       INTEGER NOT NULL,
    year             INTEGER,                  -- year of the post reporting it
    outlet           VARCHAR NOT NULL,         -- canonical outlet, else the words used, else '(unnamed)'
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    post_piece       VARCHAR,                  -- title of the post's own piece, if any
    article_id       VARCHAR,                  -- -> articles
    evidence         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_citation_facts (
    post_id          VARCHAR NOT NULL,         -- -> posts
    citation_no      INTEGER NOT NULL,
    year             INTEGER,                  -- year of the citing article
    article          VARCHAR,                  -- title of the citing article
    note_number      INTEGER NOT NULL,
    source           VARCHAR,
    title            VARCHAR,
    url              VARCHAR,
    cited_date       DATE,
    is_comment       BOOLEAN NOT NULL,
    article_id       VARCHAR                   -- -> articles
);

-- What the next refresh_derived must bring up to date: written by every load in its own
-- transaction (posts and articles it re-derived, outlets and topics it renamed), emptied by the
-- refresh. Why: the refresh then costs what the new dumps touched, not the whole warehouse, and a
-- run killed between a load and its refresh leaves the work listed here for the next run.
CREATE TABLE IF NOT EXISTS refresh_pending (
    kind             VARCHAR NOT NULL,         -- post | article | outlet | topic | dump
    key              VARCHAR NOT NULL          -- post_id, article_id, outlet_id, topic_id or dump_id
);
