"""A warehouse of N articles built directly in SQL, for timing the dashboard's queries.

Why not parse N posts: a million articles would take hours to generate and parse, and the
dashboard only cares about the shape of the tables. The rows follow the real schema
(``warehouse/sql``) and realistic skews: a few outlets carry most pieces, topics overlap,
round-up posts carry mentions, pieces carry numbered notes, each post is seen in 1-3 dumps.
Titles, standfirsts and bodies are drawn from a vocabulary of about 20,000 words (the
generator's own words and made-up names) with a long-tailed frequency, so text search meets
common and rare words as it would in prose: a word of middling rank is in about 1 % of pieces.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from warehouse.aggregates import rebuild_aggregates
from warehouse.refresh import PART_ROWS, each_part_committed, in_transaction
from warehouse.schema import apply_schema
from warehouse.search_index import IndexUpdate, refresh_search_index
from warehouse.storage import connect_writer

OUTLETS = 120
TOPICS = 60
DUMP_EVERY = 40  # posts per dump page
VOCAB = Path(__file__).resolve().parents[1] / "samples" / "data" / "vocab.json"
SYLLABLES = ("ka", "lo", "vi", "ren", "dus", "mar", "tek", "sha", "bo", "zan")
SYLLABLES += ("qi", "ul", "per", "ost", "ni", "gra", "hel", "vu", "dor", "ax")
TITLE_WORDS, STANDFIRST_WORDS, BODY_WORDS = 6, 12, 40
SKEW = 3  # word rank = vocabulary size x uniform ** SKEW: a few words common, most rare


def vocabulary(seed: int = 7) -> list[str]:
    """The generator's words plus made-up three-syllable names, in a fixed shuffled order."""

    def words(value: object) -> list[str]:
        if isinstance(value, str):
            return [w.lower() for w in re.findall(r"[A-Za-z]+", value)]
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        return [w for item in items for w in words(item)]

    data = json.loads(VOCAB.read_text(encoding="utf-8"))
    own = sorted(set(words({k: v for k, v in data.items() if not k.startswith("_")})))
    names = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES]
    vocab = own + names
    random.Random(seed).shuffle(vocab)
    return vocab


def _text(words: int, size: int) -> str:
    """SQL for ``words`` random words of the vocabulary list ``vl`` (long-tailed)."""
    return (
        f"array_to_string(list_transform(range({words}), "
        f"x -> vl[1 + floor(pow(random(), {SKEW}) * {size})::INT]), ' ')"
    )


@dataclass(frozen=True)
class SearchIndexTiming:
    """What the text search index costs on this warehouse (seconds)."""

    full: IndexUpdate  # every article indexed, as a backfill or rebuild does
    incremental: IndexUpdate  # the articles of one new dump (INCREMENTAL_ARTICLES) re-indexed


INCREMENTAL_ARTICLES = 200  # about what one new 50 KB dump re-derives


def build(db_path: Path, articles: int, seed: float = 0.42) -> SearchIndexTiming:
    """Create ``db_path`` with ``articles`` articles and proportional posts, mentions, citations."""
    db_path.unlink(missing_ok=True)
    con = connect_writer(db_path)  # the writer's layout (small row groups), as an ingest leaves it
    try:
        con.execute("SET enable_progress_bar = false")
        apply_schema(con)
        con.execute("SELECT setseed(?)", [seed])
        vocab = vocabulary()
        con.execute("CREATE TEMP TABLE vocab AS SELECT ?::VARCHAR[] AS vl", [vocab])
        n = articles
        dumps = max(1, n // DUMP_EVERY)
        con.execute(
            f"""
            INSERT INTO outlets
            SELECT 'outlet-' || i, 'Outlet ' || i,
                   (['newspaper', 'magazine', 'think-tank', 'online', 'journal'])[1 + i % 5],
                   'GB', 'outlet' || i || '.example', i % 7 <> 0, i % 7 = 0
            FROM range({OUTLETS}) t(i);
            INSERT INTO outlet_aliases SELECT lower(name), outlet_id, 'gazetteer' FROM outlets;
            INSERT INTO topics SELECT 'topic-' || i, 'Topic ' || i FROM range({TOPICS}) t(i);
            INSERT INTO dumps
            SELECT sha256('dump' || i), 'tag_' || i || '.txt', 60000, 'utf-8', TIMESTAMP '2026-01-01',
                   '/raw/' || i, CASE WHEN i % 500 = 0 THEN 'quarantined' ELSE 'loaded' END,
                   CASE WHEN i % 500 = 0 THEN 'binary or garbled content' END,
                   'Topic ' || (i % {TOPICS}), 'tag', 400, {DUMP_EVERY}, '0.1.0', TIMESTAMP '2026-01-01',
                   NULL, 'default', NULL
            FROM range({dumps}) t(i);
            CREATE TEMP TABLE gen AS
            SELECT i,
                   'a_' || lpad(i::VARCHAR, 16, '0') AS article_id,
                   'p_' || lpad(i::VARCHAR, 16, '0') AS post_id,
                   'outlet-' || floor(pow(random(), 3) * {OUTLETS})::INT AS outlet_id,
                   2000 + floor(random() * 26)::INT AS year,
                   random() AS r
            FROM range({n}) t(i);
            INSERT INTO articles
            SELECT article_id,
                   {_text(TITLE_WORDS, len(vocab))},
                   CASE WHEN i % 2 = 0 THEN {_text(STANDFIRST_WORDS, len(vocab))} END,
                   CASE WHEN r < 0.02 THEN NULL ELSE outlet_id END,
                   (['op-ed', 'commentary', 'letter', 'report', 'journal-article'])[1 + (i % 5)],
                   ['Mara Kellerman'],
                   CASE WHEN r < 0.5 THEN make_date(year, 1 + i % 12, 1 + i % 28) END,
                   CASE WHEN r < 0.5 THEN 'day' END, NULL, year,
                   CASE WHEN r < 0.5 THEN 'stated' WHEN r < 0.8 THEN 'text' ELSE 'inferred' END,
                   make_date(year, 1, 1), make_date(year, 12, 31), NULL, 600 + i % 900,
                   {_text(BODY_WORDS, len(vocab))}, NULL,
                   post_id, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01', 'default'
            FROM gen, vocab;
            INSERT INTO posts
            SELECT post_id, article_id, 'Another piece for Outlet ' || i, 0.9, 'ff',
                   sha256('dump' || (i // {DUMP_EVERY})),
                   1 + i % {DUMP_EVERY}, year, 'stated', TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-01',
                   'default'
            FROM gen;
            INSERT INTO post_sightings
            SELECT sha256('dump' || ((g.i // {DUMP_EVERY} + k * 7919) % {dumps})),
                   1 + g.i % {DUMP_EVERY} + k * {DUMP_EVERY}, g.post_id, g.article_id,
                   1 + (g.i % {DUMP_EVERY}) * 10, 9 + (g.i % {DUMP_EVERY}) * 10, NULL,
                   CASE WHEN g.r < 0.01 THEN 0.4 ELSE 0.9 END, [], '', 'ff',
                   NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                   g.year, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'default'
            FROM gen g, range(3) s(k) WHERE k = 0 OR g.r < 0.3 * k;
            INSERT INTO article_topics
            SELECT DISTINCT article_id, 'topic-' || ((i * (k + 1) * 7) % {TOPICS}) FROM gen, range(2) s(k);
            INSERT INTO post_topics
            SELECT DISTINCT post_id, 'topic-' || ((i * (k + 1) * 7) % {TOPICS}), 'archive',
                   sha256('dump' || (i // {DUMP_EVERY})) FROM gen, range(2) s(k);
            INSERT INTO mentions
            SELECT post_id, k + 1, 'outlet-' || ((i + k) % {OUTLETS}), NULL,
                   (['radio', 'tv', 'print', 'podcast', 'panel', 'webinar'])[1 + (i + k) % 6],
                   'the news of the day', 'spoke to Outlet', sha256('dump' || (i // {DUMP_EVERY})), 5
            FROM gen, range(2) s(k) WHERE r < 0.25;
            INSERT INTO citations
            SELECT post_id, article_id, k + 1, k + 1,
                   (['reuters.com', 'BBC News', 'Xinhua', 'dawn.com', 'akipress.com'])[1 + (i + k) % 5],
                   'A cited report ' || k, 'https://www.site' || ((i + k) % 50) || '.example/news/' || i,
                   NULL, k = 3, 'raw', sha256('dump' || (i // {DUMP_EVERY})), 100 + k
            FROM gen, range(4) s(k) WHERE r < 0.3;
            INSERT INTO ingest_runs (run_id, started_at, finished_at, trigger, dumps_new, dumps_skipped,
                                     dumps_quarantined, posts, articles_new, articles_updated, articles_left,
                                     warnings)
            SELECT 'run-' || i, TIMESTAMP '2026-01-01' + INTERVAL (i) DAY, NULL, 'schedule',
                   1, 0, 0, 40, 40, 0, 0, []
            FROM range(30) t(i);
            """
        )
        each_part_committed(con, rebuild_aggregates(con, PART_ROWS))  # as a full refresh_derived does
        con.execute("CHECKPOINT")
        full = in_transaction(con, lambda: refresh_search_index(con, full=True))
        # a nightly run's share: the articles one new dump re-derived, listed as a load lists them
        con.execute(
            "INSERT INTO refresh_pending SELECT 'article', article_id FROM articles "
            "ORDER BY hash(article_id) LIMIT ?",
            [INCREMENTAL_ARTICLES],
        )
        incremental = in_transaction(con, lambda: refresh_search_index(con))
        con.execute("DELETE FROM refresh_pending")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return SearchIndexTiming(full, incremental)


def build_or_reuse(db_path: Path, articles: int, reuse: bool) -> SearchIndexTiming:
    """:func:`build`, or with ``reuse`` the warehouse a previous build left at ``db_path`` (same size),
    brought to this code's schema (pending migrations, views): building a million articles takes
    minutes, timing the queries again after a change to them does not need it.

    The index timings of the build are kept beside the file (``<name>.json``) for the report.
    """
    sidecar = db_path.with_suffix(".json")
    if reuse and db_path.exists() and sidecar.exists():
        saved = json.loads(sidecar.read_text(encoding="utf-8"))
        if saved["articles"] == articles:
            con = connect_writer(db_path)
            try:
                apply_schema(con)
            finally:
                con.close()
            return SearchIndexTiming(IndexUpdate(**saved["full"]), IndexUpdate(**saved["incremental"]))
    timing = build(db_path, articles)
    record = {"articles": articles, "full": asdict(timing.full), "incremental": asdict(timing.incremental)}
    sidecar.write_text(json.dumps(record), encoding="utf-8")
    return timing
