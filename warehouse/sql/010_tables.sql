-- bylines warehouse: core tables.
-- Applied in file-name order by warehouse.schema.apply_schema(); every statement is idempotent.
-- Foreign keys are documented, not declared: DuckDB cannot update rows that others reference,
-- so referential integrity is enforced by the Dagster asset checks (no orphan rows).

CREATE TABLE IF NOT EXISTS dumps (
    dump_id          VARCHAR PRIMARY KEY,      -- sha256 of the file's bytes
    file_name        VARCHAR NOT NULL,         -- basename as delivered
    size_bytes       BIGINT NOT NULL,
    encoding         VARCHAR,                  -- detected text encoding, e.g. utf-8, cp1252, utf-16
    received_at      TIMESTAMP NOT NULL,       -- when the landing scan first saw these bytes
    raw_path         VARCHAR NOT NULL,         -- path of the immutable copy in the raw store
    status           VARCHAR NOT NULL,         -- loaded | quarantined
    error            VARCHAR,                  -- why it was quarantined, in words a person understands
    archive_label    VARCHAR,
    archive_kind     VARCHAR,
    line_count       INTEGER,
    post_count       INTEGER,
    parser_version   VARCHAR,
    loaded_at        TIMESTAMP,
    superseded_by    VARCHAR                   -- dump_id of a newer delivery under the same file name
);

CREATE TABLE IF NOT EXISTS outlets (
    outlet_id        VARCHAR PRIMARY KEY,      -- slug of the canonical name
    name             VARCHAR NOT NULL,         -- canonical name, no leading 'The'
    outlet_kind      VARCHAR,                  -- newspaper, magazine, think-tank, journal, broadcaster, wire, ...
    country          VARCHAR,
    domain           VARCHAR,
    in_gazetteer     BOOLEAN NOT NULL,         -- false = created from the text
    needs_review     BOOLEAN NOT NULL          -- true for outlets created from the text
);

CREATE TABLE IF NOT EXISTS outlet_aliases (
    alias            VARCHAR NOT NULL,         -- a name as written, case-folded
    outlet_id        VARCHAR NOT NULL,         -- -> outlets
    source           VARCHAR NOT NULL,         -- gazetteer | text
    PRIMARY KEY (alias, outlet_id)
);

CREATE TABLE IF NOT EXISTS articles (
    article_id       VARCHAR PRIMARY KEY,      -- stable id of the published piece
    title            VARCHAR NOT NULL,
    standfirst       VARCHAR,
    outlet_id        VARCHAR,                  -- -> outlets; NULL when no outlet could be found
    kind             VARCHAR NOT NULL,
    authors          VARCHAR[] NOT NULL,
    published_date   DATE,                     -- only when a dump states it
    date_precision   VARCHAR,                  -- day | month | year
    date_text        VARCHAR,                  -- the stated date line, verbatim
    year             INTEGER,                  -- best established publication year
    date_basis       VARCHAR,                  -- stated | text | inferred
    date_min         DATE,                     -- earliest possible publication date
    date_max         DATE,                     -- latest possible publication date
    date_evidence    VARCHAR,
    word_count       INTEGER NOT NULL,
    body             VARCHAR NOT NULL,
    bio              VARCHAR,
    best_post_id     VARCHAR NOT NULL,         -- -> posts: the sighting the fields were read from
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS posts (
    post_id          VARCHAR PRIMARY KEY,      -- stable id of the blog post
    article_id       VARCHAR,                  -- -> articles; NULL for a pure media round-up
    intro            VARCHAR NOT NULL,         -- the blogger's intro paragraph(s)
    confidence       DOUBLE NOT NULL,          -- segmenter confidence of the best sighting
    fingerprint      VARCHAR NOT NULL,
    best_dump_id     VARCHAR NOT NULL,         -- -> dumps: the sighting the fields were read from
    best_seq         INTEGER NOT NULL,         -- -> post_sightings (best_dump_id, best_seq)
    year             INTEGER,                  -- best established year (inferred across dumps for round-ups too)
    date_basis       VARCHAR,                  -- stated | text | inferred
    first_seen_at    TIMESTAMP NOT NULL,
    last_seen_at     TIMESTAMP NOT NULL
);

CREATE TABLE IF NOT EXISTS post_sightings (
    dump_id          VARCHAR NOT NULL,         -- -> dumps
    seq              INTEGER NOT NULL,         -- 1-based position of the post in the dump
    post_id          VARCHAR NOT NULL,         -- -> posts
    article_id       VARCHAR,                  -- -> articles, as read in this dump
    start_line       INTEGER NOT NULL,
    end_line         INTEGER NOT NULL,
    title_line       INTEGER,
    confidence       DOUBLE NOT NULL,
    warnings         VARCHAR[] NOT NULL,
    intro            VARCHAR NOT NULL,         -- everything below is the post as read in this dump:
    fingerprint      VARCHAR NOT NULL,         -- the canonical rows (posts, articles, mentions,
    title            VARCHAR,                  -- citations) are derived from the best sighting, so
    standfirst       VARCHAR,                  -- the result does not depend on load order
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
    dump_id          VARCHAR NOT NULL,         -- -> post_sightings (dump_id, seq)
    seq              INTEGER NOT NULL,
    mention_no       INTEGER NOT NULL,         -- 1-based order in the post
    outlet_id        VARCHAR,                  -- -> outlets; NULL when unnamed
    outlet_text      VARCHAR,
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    evidence         VARCHAR NOT NULL,
    line             INTEGER NOT NULL,
    PRIMARY KEY (dump_id, seq, mention_no)
);

CREATE TABLE IF NOT EXISTS sighting_citations (
    dump_id          VARCHAR NOT NULL,         -- -> post_sightings (dump_id, seq)
    seq              INTEGER NOT NULL,
    citation_no      INTEGER NOT NULL,         -- 1-based order in the notes block
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
    topic_id         VARCHAR PRIMARY KEY,      -- slug
    name             VARCHAR NOT NULL          -- display name, e.g. 'Russia'
);

CREATE TABLE IF NOT EXISTS post_topics (
    post_id          VARCHAR NOT NULL,         -- -> posts
    topic_id         VARCHAR NOT NULL,         -- -> topics
    source           VARCHAR NOT NULL,         -- archive | tagline
    dump_id          VARCHAR NOT NULL,         -- -> dumps: where the label was seen
    PRIMARY KEY (post_id, topic_id, dump_id)
);

CREATE TABLE IF NOT EXISTS article_topics (
    article_id       VARCHAR NOT NULL,         -- -> articles
    topic_id         VARCHAR NOT NULL,         -- -> topics
    PRIMARY KEY (article_id, topic_id)
);

CREATE TABLE IF NOT EXISTS mentions (
    post_id          VARCHAR NOT NULL,         -- -> posts
    mention_no       INTEGER NOT NULL,         -- 1-based order in the post
    outlet_id        VARCHAR,                  -- -> outlets; NULL when unnamed
    outlet_text      VARCHAR,                  -- the words that named the outlet
    medium           VARCHAR NOT NULL,
    about            VARCHAR,
    evidence         VARCHAR NOT NULL,
    dump_id          VARCHAR NOT NULL,         -- -> dumps: provenance
    line             INTEGER NOT NULL,         -- line in that dump
    PRIMARY KEY (post_id, mention_no)
);

CREATE TABLE IF NOT EXISTS citations (
    post_id          VARCHAR NOT NULL,         -- -> posts
    article_id       VARCHAR,                  -- -> articles
    citation_no      INTEGER NOT NULL,         -- 1-based order in the notes block
    note_number      INTEGER NOT NULL,
    source           VARCHAR,
    title            VARCHAR,
    url              VARCHAR,
    cited_date       DATE,
    is_comment       BOOLEAN NOT NULL,
    raw_text         VARCHAR NOT NULL,
    dump_id          VARCHAR NOT NULL,         -- -> dumps: provenance
    line             INTEGER NOT NULL,
    PRIMARY KEY (post_id, citation_no)
);

CREATE TABLE IF NOT EXISTS ingest_runs (
    run_id           VARCHAR PRIMARY KEY,      -- Dagster run id, or a uuid for library calls
    started_at       TIMESTAMP NOT NULL,
    finished_at      TIMESTAMP,
    trigger          VARCHAR,                  -- cli | sensor | schedule | rebuild
    dumps_new        INTEGER,
    dumps_skipped    INTEGER,
    dumps_quarantined INTEGER,
    posts            INTEGER,
    articles_new     INTEGER,
    articles_updated INTEGER,
    warnings         VARCHAR[]
);
