-- Migration 001: the schema of the first release (before numbered migrations existed).
--
-- Written IF NOT EXISTS, unlike every later migration: a warehouse made by that release has these
-- tables but no schema_version row, and applying this file to it changes nothing but the record
-- that it is at version 1 (warehouse/schema.py). Later migrations are plain DDL, run exactly once.
--
-- What each table and column means: comments.sql (also in the catalog: duckdb_columns().comment).
-- References between tables are documented there ("-> outlets"), not declared: DuckDB cannot
-- update rows that others reference, so the asset checks (warehouse/integrity.py) enforce them.
-- The agg_* tables are summaries behind the dashboard, rebuilt by sql/refresh/aggregates.sql.

CREATE TABLE IF NOT EXISTS dumps (
    dump_id          VARCHAR PRIMARY KEY,
    file_name        VARCHAR NOT NULL,
    size_bytes       BIGINT NOT NULL,
    encoding         VARCHAR,
    received_at      TIMESTAMP NOT NULL,
    raw_path         VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,
    error            VARCHAR,
    archive_label    VARCHAR,
    archive_kind     VARCHAR,
    line_count       INTEGER,
    post_count       INTEGER,
    parser_version   VARCHAR,
    loaded_at        TIMESTAMP,
    superseded_by    VARCHAR
);

CREATE TABLE IF NOT EXISTS outlets (
    outlet_id        VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL,
    outlet_kind      VARCHAR,
    country          VARCHAR,
    domain           VARCHAR,
    in_gazetteer     BOOLEAN NOT NULL,
    needs_review     BOOLEAN NOT NULL
);

CREATE TABLE IF NOT EXISTS outlet_aliases (
    alias            VARCHAR NOT NULL,
    outlet_id        VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    PRIMARY KEY (alias, outlet_id)
);

CREATE TABLE IF NOT EXISTS articles (
    article_id       VARCHAR PRIMARY KEY,
    title            VARCHAR NOT NULL,
    standfirst       VARCHAR,
    outlet_id        VARCHAR,
    kind             VARCHAR NOT NULL,
    authors          VARCHAR[] NOT NULL,
    published_date   DATE,
    date_precision   VARCHAR,
    date_text        VARCHAR,
    year             INTEGER,
    date_basis       VARCHAR,
    date_min         DATE,
    date_max         DATE,
    date_evidence    VARCHAR,
    word_count       INTEGER NOT NULL,
    body             VARCHAR NOT NULL,
    bio              VARCHAR,
    best_post_id     VARCHAR NOT NULL,
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS posts (
    post_id          VARCHAR PRIMARY KEY,
    article_id       VARCHAR,
    intro            VARCHAR NOT NULL,
    confidence       DOUBLE NOT NULL,
    fingerprint      VARCHAR NOT NULL,
    best_dump_id     VARCHAR NOT NULL,
    best_seq         INTEGER NOT NULL,
    year             INTEGER,
    date_basis       VARCHAR,
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS post_sightings (
    dump_id          VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    post_id          VARCHAR NOT NULL,
    article_id       VARCHAR,
    start_line       INTEGER NOT NULL,
    end_line         INTEGER NOT NULL,
    title_line       INTEGER,
    confidence       DOUBLE NOT NULL,
    warnings         VARCHAR[] NOT NULL,
    intro            VARCHAR NOT NULL,
    fingerprint      VARCHAR NOT NULL,
    title            VARCHAR,
    standfirst       VARCHAR,
    outlet_id        VARCHAR,
    kind             VARCHAR,
    authors          VARCHAR[],
    published_date   DATE,
    date_precision   VARCHAR,
    date_text        VARCHAR,
    year             INTEGER,
    date_basis       VARCHAR,
    date_min         DATE,
    date_max         DATE,
    date_evidence    VARCHAR,
    word_count       INTEGER,
    body             VARCHAR,
    bio              VARCHAR,
    PRIMARY KEY (dump_id, seq)
);

CREATE TABLE IF NOT EXISTS sighting_mentions (
    dump_id          VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    mention_no       INTEGER NOT NULL,
    outlet_id        VARCHAR,
    outlet_text      VARCHAR,
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    evidence         VARCHAR NOT NULL,
    line             INTEGER NOT NULL,
    PRIMARY KEY (dump_id, seq, mention_no)
);

CREATE TABLE IF NOT EXISTS sighting_citations (
    dump_id          VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    citation_no      INTEGER NOT NULL,
    note_number      INTEGER NOT NULL,
    source           VARCHAR,
    title            VARCHAR,
    url              VARCHAR,
    cited_date       DATE,
    is_comment       BOOLEAN NOT NULL,
    raw_text         VARCHAR NOT NULL,
    line             INTEGER NOT NULL,
    PRIMARY KEY (dump_id, seq, citation_no)
);

CREATE TABLE IF NOT EXISTS topics (
    topic_id         VARCHAR PRIMARY KEY,
    name             VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS post_topics (
    post_id          VARCHAR NOT NULL,
    topic_id         VARCHAR NOT NULL,
    source           VARCHAR NOT NULL,
    dump_id          VARCHAR NOT NULL,
    PRIMARY KEY (post_id, topic_id, dump_id)
);

CREATE TABLE IF NOT EXISTS article_topics (
    article_id       VARCHAR NOT NULL,
    topic_id         VARCHAR NOT NULL,
    PRIMARY KEY (article_id, topic_id)
);

CREATE TABLE IF NOT EXISTS mentions (
    post_id          VARCHAR NOT NULL,
    mention_no       INTEGER NOT NULL,
    outlet_id        VARCHAR,
    outlet_text      VARCHAR,
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    evidence         VARCHAR NOT NULL,
    dump_id          VARCHAR NOT NULL,
    line             INTEGER NOT NULL,
    PRIMARY KEY (post_id, mention_no)
);

CREATE TABLE IF NOT EXISTS citations (
    post_id          VARCHAR NOT NULL,
    article_id       VARCHAR,
    citation_no      INTEGER NOT NULL,
    note_number      INTEGER NOT NULL,
    source           VARCHAR,
    title            VARCHAR,
    url              VARCHAR,
    cited_date       DATE,
    is_comment       BOOLEAN NOT NULL,
    raw_text         VARCHAR NOT NULL,
    dump_id          VARCHAR NOT NULL,
    line             INTEGER NOT NULL,
    PRIMARY KEY (post_id, citation_no)
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id           VARCHAR PRIMARY KEY,
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    trigger          VARCHAR,
    dumps_new        INTEGER,
    dumps_skipped    INTEGER,
    dumps_quarantined INTEGER,
    posts            INTEGER,
    articles_new     INTEGER,
    articles_updated INTEGER,
    warnings         VARCHAR[]
);

CREATE TABLE IF NOT EXISTS agg_article_facts (
    article_id       VARCHAR PRIMARY KEY,
    title            VARCHAR NOT NULL,
    standfirst       VARCHAR,
    outlet_id        VARCHAR,
    outlet           VARCHAR,
    kind             VARCHAR NOT NULL,
    authors          VARCHAR[] NOT NULL,
    published_date   DATE,
    year             INTEGER,
    date_basis       VARCHAR,
    date_min         DATE,
    date_max         DATE,
    word_count       INTEGER NOT NULL,
    topics           VARCHAR[] NOT NULL,
    dump_count       INTEGER NOT NULL,
    sighting_count   INTEGER NOT NULL,
    best_post_id     VARCHAR NOT NULL,
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_output_year_outlet (
    year             INTEGER,
    outlet           VARCHAR NOT NULL,
    outlet_id        VARCHAR,
    pieces           BIGINT NOT NULL,
    words            BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_outlet_stats (
    outlet_id        VARCHAR NOT NULL,
    pieces           BIGINT NOT NULL,
    first_year       INTEGER,
    last_year        INTEGER,
    first_date       DATE,
    last_date        DATE,
    pieces_by_kind   MAP(VARCHAR, BIGINT),
    mentions         BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_data_quality (
    issue            VARCHAR NOT NULL,
    dump_file        VARCHAR,
    seq              INTEGER,
    post_id          VARCHAR,
    article_id       VARCHAR,
    detail           VARCHAR,
    dump_id          VARCHAR
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
    post_id          VARCHAR NOT NULL,
    mention_no       INTEGER NOT NULL,
    year             INTEGER,
    outlet           VARCHAR NOT NULL,
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    post_piece       VARCHAR,
    article_id       VARCHAR,
    evidence         VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS agg_citation_facts (
    post_id          VARCHAR NOT NULL,
    citation_no      INTEGER NOT NULL,
    year             INTEGER,
    article          VARCHAR,
    note_number      INTEGER NOT NULL,
    source           VARCHAR,
    title            VARCHAR,
    url              VARCHAR,
    cited_date       DATE,
    is_comment       BOOLEAN NOT NULL,
    article_id       VARCHAR
);

CREATE TABLE IF NOT EXISTS refresh_pending (
    kind             VARCHAR NOT NULL,
    key              VARCHAR NOT NULL
);
