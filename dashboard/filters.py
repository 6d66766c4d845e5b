"""The article filters: one model, turned into a parameterised SQL ``WHERE`` clause.

Why a model: the Articles page, the exports and the benchmark all need the same filter
semantics, and user input must reach SQL as bound parameters, never as text.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from warehouse.search_index import matching_articles, query_terms

# The articles carrying any of the topics bound to its parameter.
TOPIC_ARTICLES = (
    "SELECT x.article_id FROM article_topics x JOIN topics t USING (topic_id) "
    "WHERE list_contains(?::VARCHAR[], t.name)"
)


def among(alias: str, ids: str) -> str:
    """``<alias>.article_id IN (ids)``, written so DuckDB hashes the ids and streams the articles.

    Why: on a plain ``IN (subquery)`` DuckDB built its hash table on the (million) articles and
    probed it with the (thousands of) ids; as one list unnested, the ids are the build side, the
    articles stream through, and the listing's top-N still skips row groups (several times faster).
    """
    return f"{alias}.article_id IN (SELECT unnest((SELECT list(article_id) FROM ({ids}))))"


def holds_any(column: str, values: list[str]) -> str:
    """SQL true when the list ``column`` holds any of ``values`` (one ``?`` per value).

    Why not ``list_has_any(column, ?)``: it builds a set for every row; a ``list_contains`` per
    value is 3-4x faster over a million articles (a page of one topic: 12 ms against 45 ms CPU).
    """
    return "(" + " OR ".join(f"list_contains({column}, ?)" for _ in values) + ")"


def substring_pattern(text: str) -> str:
    """An ``ILIKE ... ESCAPE '\\'`` pattern finding ``text`` anywhere, its % and _ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class ArticleFilter(BaseModel):
    """What the analyst narrowed the articles to. Empty lists mean 'any'; no writer means every writer."""

    writer: str | None = Field(default=None, description="writer_id (the selector on every page)")
    year_from: int | None = None
    year_to: int | None = None
    outlets: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    authors: list[str] = Field(default_factory=list)
    date_bases: list[str] = Field(default_factory=list)
    text: str = ""

    def where(
        self, alias: str = "a", indexed: bool = True, page: bool = False, first_page: bool = False
    ) -> tuple[str, list[object]]:
        """SQL condition over ``v_articles`` (as ``alias``) and its bound parameters.

        A year range excludes pieces whose year is unknown; with no range they are kept. The
        text goes through the search index (every word, in any form: see
        ``warehouse/search_index.py``); a copy published before the index existed
        (``indexed=False``), or a text without a letter or digit, is matched as a substring.
        Topics are tested on each article's list of topics for a ``page`` (the top-N then reads
        only the first row groups) and through the topic links
        otherwise (counting every match: twice as fast as testing every list). ``first_page``: the
        same rows, written for a listing's first page (a top-N with no cursor's condition).
        """
        clauses: list[str] = []
        params: list[object] = []
        if self.writer:
            clauses.append(f"{alias}.writer_id = ?")
            params.append(self.writer)
        if self.year_from is not None:
            clauses.append(f"{alias}.year >= ?")
            params.append(self.year_from)
        if self.year_to is not None:
            clauses.append(f"{alias}.year <= ?")
            params.append(self.year_to)
        for values, expr in (
            (self.outlets, f"list_contains(?::VARCHAR[], {alias}.outlet)"),
            (self.kinds, f"list_contains(?::VARCHAR[], {alias}.kind)"),
            (self.date_bases, f"list_contains(?::VARCHAR[], {alias}.date_basis)"),
        ):
            if values:
                clauses.append(expr)
                params.append(list(values))
        if self.topics and page:
            clauses.append(holds_any(f"{alias}.topics", self.topics))
            params.extend(self.topics)
        elif self.topics:
            clauses.append(among(alias, TOPIC_ARTICLES))
            params.append(list(self.topics))
        if self.authors:
            clauses.append(holds_any(f"{alias}.authors", self.authors))
            params.extend(self.authors)
        needle = self.text.strip()
        terms = query_terms(needle) if needle and indexed else []
        if terms:
            matches, match_params = matching_articles(terms)
            # Narrowed to some outlets, kinds, topics, ..., the articles are the smaller side: DuckDB
            # then hashes them and probes with the matches (3x less work than hashing every match
            # of a common word). Otherwise (years and writer narrow little) the matches are hashed
            # and the articles stream past them (``among``), except on a first page: there a plain
            # IN is the faster plan (the top-N hashes the matches itself; making ``among``'s list of
            # a common word's 300,000 matches cost 40 ms), while under a later page's cursor
            # condition DuckDB hashed the articles instead (5x slower; docs/performance.md).
            narrowed = any((self.outlets, self.kinds, self.date_bases, self.topics, self.authors))
            plain = narrowed or first_page
            clauses.append(f"{alias}.article_id IN ({matches})" if plain else among(alias, matches))
            params.extend(match_params)
        elif needle:
            clauses.append(
                f"{alias}.article_id IN (SELECT article_id FROM articles "
                "WHERE title ILIKE ? ESCAPE '\\' OR body ILIKE ? ESCAPE '\\' "
                "OR standfirst ILIKE ? ESCAPE '\\')"
            )
            params.extend([substring_pattern(needle)] * 3)
        return (" AND ".join(clauses) or "TRUE"), params

    def id_sets(self, indexed: bool = True) -> list[tuple[str, list[object]]] | None:
        """The filter as sets of article ids (topics, search matches) to intersect, or None.

        None when it has a condition on the articles' own columns (years, outlet, kind, ...) or
        no set at all: then only a test on the articles can count them.
        """
        others = (self.outlets, self.kinds, self.authors, self.date_bases)
        if self.writer or self.year_from is not None or self.year_to is not None or any(others):
            return None
        sets: list[tuple[str, list[object]]] = []
        if self.topics:
            sets.append((TOPIC_ARTICLES, [list(self.topics)]))
        if self.text.strip():
            terms = query_terms(self.text) if indexed else []
            if not terms:
                return None  # matched as a substring: a test on each article
            sets.append(matching_articles(terms))
        return sets or None

    def count(self, indexed: bool = True) -> tuple[str, tuple[object, ...]]:
        """SQL counting the articles the filter keeps (``n``), and its parameters.

        Counted on the id sets when topics and search are the only filters (no join to the
        articles needed), else on the articles with the join form of :meth:`where`.
        """
        sets = self.id_sets(indexed)
        if sets:
            ids = " INTERSECT ".join(f"SELECT article_id FROM ({sql})" for sql, _ in sets)
            return f"SELECT count(DISTINCT article_id) AS n FROM ({ids})", tuple(
                p for _, ps in sets for p in ps
            )
        where, params = self.where("a", indexed)
        return f"SELECT count(*) AS n FROM v_articles a WHERE {where}", tuple(params)

    def describe(self) -> str:
        """A one-line human summary, used in export file headers."""
        parts: list[str] = []
        if self.year_from is not None or self.year_to is not None:
            parts.append(f"years {self.year_from or '…'}–{self.year_to or '…'}")
        for label, values in (
            ("outlets", self.outlets),
            ("topics", self.topics),
            ("kinds", self.kinds),
            ("authors", self.authors),
            ("date basis", self.date_bases),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        if self.text.strip():
            parts.append(f"text has “{self.text.strip()}”")
        return "; ".join(parts) or "all pieces"
