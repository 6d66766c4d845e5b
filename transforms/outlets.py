"""Outlet gazetteer and the outlet of a post's own piece.

The blog names outlets loosely ("the Straits Times", "ST ILLUSTRATION", "the Lowy's Interpreter",
"MetroDaily Star" where two linked names ran together), so every outlet goes through one
gazetteer (`data/outlets.csv`: canonical name, |-separated aliases, kind, country, domain,
generic flag) and comes out under one canonical name. Names the gazetteer does not know are
kept (``in_gazetteer=False``) rather than dropped, so a reviewer can add them later.

Outlet-typical furniture (date-line formats, caption credits, disclaimers) is data too:
`data/outlet_signals.csv` maps a regular expression to the canonical outlet it betrays.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from transforms.folding import FoldedPattern, GatedPattern
from transforms.models import OutletRef
from transforms.phrases import phrase_regex

DATA_DIR = Path(__file__).resolve().parent / "data"

# Same-length character folds, so spans found in the folded text are spans of the original.
_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2012": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)

# A bare generic name ("the Times", "the National") only counts as the outlet when the next word
# is one that can follow a newspaper's name in running prose; "the National press agency" is not.
_GENERIC_FOLLOWERS = frozenset(
    "about on in and or to was were which who for with at that is has had again piece pieces article "
    "articles a an this last earlier recently recent magazine newspaper paper website site blog column "
    "columns op-ed from by as after over but where while when it its podcast programme program show "
    "interview radio tv television online print editorial letters letter off into onto around across "
    "since during before until under than".split()
)

_FOLD_PAIRS = tuple((chr(k), v) for k, v in _FOLD.items())

_WORD = re.compile(r"[A-Za-z0-9][\w'.&-]*")
_NEXT_WORD = re.compile(r"\s+([A-Z][a-z]+)\b")
_FOUND_CACHE = 20_000  # texts whose outlet spans are remembered
_DOTTED = re.compile(r"[\w-]\.[\w-]")
# Compiled once: the intro and mention code below uses them for every sentence and outlet span.
_SPACES = re.compile(r"\s+")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u2018\u201c'\"(])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_CLAUSE_BREAK = re.compile(r"[;,:()]|\band\b|\bwhile\b|\bwhich\b")
_FIRST_WORD = re.compile(r"\S*")
POSSESSIVE_GAP = re.compile(r"'s\s+(?:[\w-]+\s+){0,2}")
"""Between two outlet names: "Jamestown's China Brief" (the publication is the possessed name)."""


def fold(text: str) -> str:
    """Unify quotes, dashes and NBSPs without changing the length of the text."""
    # every folded character is non-ASCII, and translate() is slow on text that has one
    if text.isascii():
        return text
    for ch, to in _FOLD_PAIRS:
        if ch in text:
            text = text.replace(ch, to)
    return text


def norm_key(name: str) -> str:
    """Comparison key of an outlet name (like the scorer's: case, quotes, leading 'the')."""
    text = unicodedata.normalize("NFKC", fold(name)).casefold()
    text = re.sub(r"\s+", " ", text).strip().strip(" .,:;'\"()")
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"'s$", "", text)
    return text.strip()


def clean_name(name: str) -> str:
    """Display form of a name taken from the text: trimmed, no leading 'The', no possessive."""
    text = re.sub(r"\s+", " ", name.replace("\u00a0", " ")).strip().strip(' .,:;"()')
    text = re.sub(r"^(?:the|The|THE)\s+", "", text)
    text = re.sub(r"['\u2019]s$", "", text)
    return text.strip()


@dataclass(frozen=True)
class OutletEntry:
    """One gazetteer row."""

    canonical: str
    aliases: tuple[str, ...]
    kind: str | None
    country: str | None
    domain: str | None
    generic: bool


@dataclass(frozen=True)
class _Surface:
    text: str
    canonical: str
    case_sensitive: bool
    generic: bool


class Gazetteer:
    """Canonicalises outlet names and finds gazetteer outlets in running text."""

    def __init__(self, entries: list[OutletEntry]) -> None:
        self.entries: dict[str, OutletEntry] = {e.canonical: e for e in entries}
        self._index: dict[str, str] = {}
        surfaces: list[_Surface] = []
        domains: set[str] = set()
        for e in entries:
            names = [e.canonical, *e.aliases]
            if e.domain and e.domain.casefold() not in domains:  # a shared domain names its first outlet
                domains.add(e.domain.casefold())
                names.append(e.domain)
            for n in names:
                self._index.setdefault(norm_key(n), e.canonical)
                surfaces.append(self._surface(fold(n), e))
        self._surfaces = surfaces
        self._cs = self._compile([s for s in surfaces if s.case_sensitive], 0)
        self._ci = self._compile([s for s in surfaces if not s.case_sensitive], re.IGNORECASE)
        self._by_text_cs = {s.text: s for s in surfaces if s.case_sensitive}
        self._by_text_ci = {s.text.casefold(): s for s in surfaces if not s.case_sensitive}
        self._found: dict[str, list[tuple[int, int, str]]] = {}
        # intro -> (offset, outlet) of piece_outlet's best intro candidate, or None
        self._intro_best: dict[str, tuple[int, OutletRef] | None] = {}
        # Where a case-sensitive match can start (see _matches).
        self._cs_starts = self._starts([s.text for s in surfaces if s.case_sensitive])

    @staticmethod
    def _surface(text: str, e: OutletEntry) -> _Surface:
        # Names match only as capitalised in the gazetteer ("Current History", "Prospect"), or
        # ordinary prose would match ("current history", "a good prospect"); domains match in any case.
        text = re.sub(r"^[Tt]he\s+", "", text)  # the pattern itself allows an optional 'the'
        is_domain = bool(re.fullmatch(r"[\w-]+(?:\.[\w-]+)+", text))
        # Generic names ("Times", "International Security") need outlet-like context; a longer alias
        # ("Spectator's website") is specific enough on its own.
        generic = (
            e.generic and not text.isupper() and not is_domain and (" " not in text or text == e.canonical)
        )
        return _Surface(text, e.canonical, case_sensitive=not is_domain, generic=generic)

    @staticmethod
    def _compile(surfaces: list[_Surface], flags: int) -> re.Pattern[str] | None:
        if not surfaces:
            return None
        alt = phrase_regex({s.text for s in surfaces}, loose=True)
        # A boundary is a non-alphanumeric neighbour, or a lower->Upper step ("MetroDaily Star").
        left = r"(?:(?<![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))"
        right = r"(?:(?![A-Za-z0-9])|(?<=[a-z])(?=[A-Z]))"
        return re.compile(f"{left}(?:(?:[Tt]he)\\s+)?({alt}){right}", flags)

    @staticmethod
    def _starts(texts: list[str]) -> tuple[re.Pattern[str], re.Pattern[str] | None] | None:
        """Where a name can start: a class of first characters that are not lower case, and the
        names that start in lower case ("dpa", "openDemocracy") as their own pattern, because
        their first letters are everywhere in prose. None when a name starts with a space."""
        firsts: set[str] = set()
        lower: list[str] = []
        for t in texts:
            if not t or t[0].isspace():
                return None
            if t[0].islower():
                lower.append(t)
            else:
                firsts.update(("'", "\u2019") if t[0] in "'\u2019" else (t[0],))
        chars = re.compile("[" + "".join(re.escape(c) for c in sorted(firsts)) + "]" if firsts else "(?!)")
        return chars, (re.compile(phrase_regex(lower, loose=True)) if lower else None)

    def _matches(self, pattern: re.Pattern[str], text: str) -> list[re.Match[str]]:
        """``pattern.finditer(text)``, trying the pattern only where a match can start.

        Why: the pattern opens with boundary look-behinds and an optional "the", so the regex
        engine cannot skip ahead and tries all of it at every character of every sentence (most
        of the parser's outlet time). A match starts either at a name's first character or at
        the "the"/"The" before it (followed by white space only); trying exactly those offsets in
        order, and resuming after each match, gives the very matches ``finditer`` gives.
        """
        if self._cs_starts is None:
            return list(pattern.finditer(text))
        chars, lower = self._cs_starts
        firsts = [m.start() for m in chars.finditer(text)]
        if lower is not None:
            m = lower.search(text)
            while m is not None:  # every start, overlapping ones too
                firsts.append(m.start())
                m = lower.search(text, m.start() + 1)
        starts: list[int] = []
        for q in firsts:
            j = q
            while j > 0 and text[j - 1].isspace():
                j -= 1
            if j < q and j >= 3 and text[j - 3 : j] in ("the", "The"):
                starts.append(j - 3)
            starts.append(q)
        out: list[re.Match[str]] = []
        pos = 0
        for st in sorted(set(starts)):
            if st < pos:
                continue
            found = pattern.match(text, st)
            if found is not None:
                out.append(found)
                pos = found.end()
        return out

    # -- canonicalisation -------------------------------------------------------------
    def lookup(self, name: str) -> OutletEntry | None:
        """The gazetteer entry of a name, or None."""
        key = norm_key(name)
        canonical = self._index.get(key)
        if canonical is None:
            stripped = re.sub(r"\s+(magazine|newspaper|website|blog|online|paper)$", "", key)
            canonical = self._index.get(stripped)
        return self.entries.get(canonical) if canonical else None

    def resolve(self, name: str, line: int | None = None) -> OutletRef:
        """Canonicalise an outlet name; unknown names are kept, flagged ``in_gazetteer=False``."""
        entry = self.lookup(name)
        if entry is None:
            return OutletRef(name=clean_name(name), matched_text=name.strip(), line=line, in_gazetteer=False)
        return self.ref(entry, name, line)

    @staticmethod
    def ref(entry: OutletEntry, matched: str, line: int | None) -> OutletRef:
        return OutletRef(
            name=entry.canonical,
            matched_text=matched.strip(),
            line=line,
            in_gazetteer=True,
            outlet_kind=entry.kind,
            country=entry.country,
            domain=entry.domain,
        )

    # -- matching in text -------------------------------------------------------------
    def find_all(self, text: str, line: int | None = None) -> list[tuple[int, int, OutletRef]]:
        """All gazetteer outlets named in ``text`` as (start, end, ref); longest match wins."""
        spans = self._found.get(text)
        if spans is None:
            if len(self._found) >= _FOUND_CACHE:
                self._found.clear()
            spans = self._found[text] = self._find_spans(text)
        return [(s, e, self.ref(self.entries[canonical], text[s:e], line)) for s, e, canonical in spans]

    def _find_spans(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical) of ``find_all``; remembered per text, since a post's intro
        sentences come back on every tag page that lists the post."""
        folded = fold(text)
        cands: list[tuple[int, int, _Surface]] = []
        for pattern, table, ci in ((self._cs, self._by_text_cs, False), (self._ci, self._by_text_ci, True)):
            if pattern is None:
                continue
            if ci:
                # only domains match in any case, and every domain has a dot between name characters
                found = pattern.finditer(folded) if _DOTTED.search(folded) else ()
            else:
                found = self._matches(pattern, folded)
            for m in found:
                key = _SPACES.sub(" ", m.group(1)).replace("\u2019", "'")
                surface = table.get(key.casefold() if ci else key)
                if surface is None:
                    continue
                if surface.generic and not self._generic_ok(folded, m.start(), m.end()):
                    continue
                nxt = _NEXT_WORD.match(folded, m.end())
                if nxt and nxt.group(1) in _not_followed_by():
                    continue  # "the Foreign Affairs Committee" is not the journal
                cands.append((m.start(), m.end(), surface))
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
        taken: list[tuple[int, int, _Surface]] = []
        for c in cands:
            if all(c[1] <= t[0] or c[0] >= t[1] for t in taken):
                taken.append(c)
        taken.sort(key=lambda c: c[0])
        return [(s, e, sf.canonical) for s, e, sf in taken]

    @staticmethod
    def _generic_ok(text: str, start: int, end: int) -> bool:
        """A generic single word is an outlet only when the prose around it says so."""
        before = text[:start].rstrip()
        matched = text[start:end]
        if not matched.lower().startswith("the ") and (not before or before.endswith((".", "!", "?", ":"))):
            return False  # sentence-initial capital, not a name
        if not matched.lower().startswith("the ") and re.search(r"[A-Z][\w'-]*$", before):
            return False  # the tail of a longer capitalised name ("Indian Standard Time")
        after = text[end:]
        if re.match(r"'s\b", after):
            return True
        m = re.match(r"\s*([A-Za-z][\w-]*)", after)
        if not m or not re.match(r"\s", after[:1] or "x"):
            return True  # end of text or punctuation next
        word = m.group(1)
        if word[0].isupper():
            return False  # part of a longer name we do not know ("the National Gallery")
        # a verb form continues the sentence ("in the Spectator looking at ..."); a noun would
        # make the word an adjective ("the National press agency")
        return word.lower() in _GENERIC_FOLLOWERS or word.endswith(("ing", "ed", "ly"))


@lru_cache(maxsize=1)
def _not_followed_by() -> frozenset[str]:
    """Capitalised words that turn an outlet name into the name of something else."""
    lines = (DATA_DIR / "outlet_not_followed_by.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _split_aliases(value: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in value.split("|") if a.strip())


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The project gazetteer, read once from `data/outlets.csv`."""
    entries: list[OutletEntry] = []
    with (DATA_DIR / "outlets.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            entries.append(
                OutletEntry(
                    canonical=row["canonical"].strip(),
                    aliases=_split_aliases(row.get("aliases") or ""),
                    kind=(row.get("kind") or "").strip() or None,
                    country=(row.get("country") or "").strip() or None,
                    domain=(row.get("domain") or "").strip() or None,
                    generic=(row.get("generic") or "0").strip() == "1",
                )
            )
    return Gazetteer(entries)


# -- the outlet of the post's own piece ----------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """A format clue that betrays an outlet: where it is looked for, the pattern, the outlet."""

    where: str  # head | tail
    pattern: re.Pattern[str]
    canonical: str


@lru_cache(maxsize=1)
def load_signals() -> tuple[Signal, ...]:
    """Outlet-typical date lines, captions and disclaimers from `data/outlet_signals.csv`."""
    out: list[Signal] = []
    with (DATA_DIR / "outlet_signals.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out.append(Signal(row["where"].strip(), re.compile(row["pattern"]), row["canonical"].strip()))
    return tuple(out)


_PIECE_WORDS = (
    r"piece|pieces|article|op-?ed|letter|commentary|paper|post|posting|column|essay|contribution|latest|"
    r"interview|podcast|analysis|report|chapter|blog|brief|note|review|q&a"
)
# The case-insensitive patterns of the intro's words around an outlet are folded (see
# transforms/folding.py): they are searched around every outlet an intro names.
# Words before an outlet that make it the blogger's own piece: "a piece for", "this time for",
# "a short letter in", "Re-posting a piece from", "An interview ... with".
_OWN_PIECE_BEFORE = FoldedPattern.compile(
    rf"(?:\b(?:{_PIECE_WORDS})\b[^.;]{{0,160}}?\b(?:for|in|from|with|on|at|to)\b[^.;]{{0,60}}?"
    rf"|\b(?:wrote|written|writing|published|ran|run)\b[^.;]{{0,80}}?\b(?:for|in|on|by)\b[^.;]{{0,40}}?"
    rf"|\bthis\s+time\b[^.;]{{0,40}}?\b(?:for|in|with|at)\b[^.;]{{0,40}}?"
    rf"|\bagain\s+(?:for|in)\b[^.;]{{0,20}}?"
    rf"|\b(?:for|in)\s+(?:my|our)\b[^.;]{{0,60}}?)$"
)
# ... and words that make it something else: an earlier piece, an interview given to it.
_NOT_OWN_BEFORE = FoldedPattern.compile(
    r"\b(?:(?:my|an?|the|his|her|our)\s+(?:\w+\s+)?(?:earlier|previous|prior|last|older)|made\s+in|restat\w*|"
    r"spoke|speaking|spoken|talk\w*|"
    r"quoted|picked\s+up|appearance|featur\w*|used\s+(?:in|by)|carried|translated|written\s+up|"
    r"mention\w*|reproduced|translated|interviewed\s+by|"
    r"comment\s+from|reporters?|correspondent|courtesy|hosted|found\s+on|from\s+the\s+\w+\s+about)\b"
)
_PIECE_AFTER = re.compile(
    r"\s*(?:'s\s+)?(?:[\w-]+\s+)?(?:pieces?|articles?|paper|column|op-?ed|commentary|essay|letter)\b",
    re.IGNORECASE,
)
# Words that put an outlet in a media round-up rather than on the piece.
_APPEARANCE_BEFORE = FoldedPattern.compile(
    r"\b(?:interview\w*|podcast|panel|webinar|radio|tv|television|conversation|discussion|event|"
    r"spoke|speaking|talk\w*|quoted|picked\s+up|appear\w*|featur\w*)\b"
)
# "a piece for X" outranks "an interview panel for Y" when an intro names both.
_STRONG_PIECE = FoldedPattern.compile(
    r"\b(?:piece|article|op-?ed|letter|commentary|paper|column|essay|contribution|latest|wrote|written)\b"
)
_UNKNOWN_OUTLET = GatedPattern(
    re.compile(
        rf"\b(?:(?:{_PIECE_WORDS})|(?i:wrote|written)\s+(?:this|it))\s+(?:for|in)\s+(?:the\s+)?(?:(?:excellent|wonderful|new|online|British|"
        rf"American|Indian|Chinese|magazine|journal|newspaper|website|site)\s+)*"
        r"((?:[A-Z][\w'\u2019.&-]*)(?:\s+(?:of|for|and|on|&|de|du|la|el)?\s*[A-Z][\w'\u2019.&-]*){0,5})"
    ),
    # every match opens with a piece word or "wrote"/"written" (found fast, folded, in every sentence)
    FoldedPattern.compile(rf"\b(?:{_PIECE_WORDS}|wrote|written)"),
)


_NOT_A_NAME = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December|Christmas|Easter|I|It|This|That|China|Russia|Europe|Asia|"
    r"Africa|America|Britain|India|Pakistan|Afghanistan|British|American|Chinese|Indian|Russian|European|Asian|"
    r"Australian|Singaporean|Pakistani|Afghan|Italian|German|French|Japanese|Korean|Dutch|Spanish|Turkish|"
    r"Central|South|North|East|West|UK|US|EU|UN|NATO|ISIS|COVID|Covid)\b"
)


def _unknown_name(text: str, gaz: Gazetteer, line: int) -> tuple[int, OutletRef] | None:
    """The first unknown outlet named as a piece's home in ``text`` ("an article for the Foo Review")."""
    for m in _UNKNOWN_OUTLET.finditer(text):  # no lowered text at hand: the gate lowers it
        ref = gaz.resolve(m.group(1), line)
        if ref.in_gazetteer or _NOT_OWN_BEFORE.found(text[: m.start(1)]) or _NOT_A_NAME.match(ref.name):
            continue
        return m.start(1), ref
    return None


def _sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; good enough for the blogger's prose."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENTENCE_BREAK.finditer(text):
        out.append((start, text[start : m.start()]))
        start = m.end()
    out.append((start, text[start:]))
    return out


# Verbs of a media appearance, counted to tell a round-up paragraph from one about a piece.
_ROUNDUP_VERB = re.compile(
    r"\b(?:spoke|speaking|talked|talking|quoted|picked\s+up|appeared|interviewed|podcasts?|panels?|webinars?"
    r"|on\s+the\s+\w+\s+programme)\b",
    re.IGNORECASE,
)


def _is_roundup(paragraph: str) -> bool:
    """A paragraph reporting two or more appearances and presenting no piece of the author's own."""
    return len(_ROUNDUP_VERB.findall(paragraph)) >= 2 and not _STRONG_PIECE.search(paragraph)


def _intro_candidates(intro: str, intro_line: int, gaz: Gazetteer) -> list[tuple[float, int, OutletRef]]:
    """Outlets the intro names as the home of the piece, scored (higher = surer)."""
    cands: list[tuple[float, int, OutletRef]] = []
    folded = fold(intro)
    para_starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(folded)]
    para_ends = [*para_starts[1:], len(folded)]
    roundup = [_is_roundup(folded[a:b]) for a, b in zip(para_starts, para_ends, strict=True)]
    for off, sent in _sentences(folded):
        # The first intro paragraph introduces the piece; later ones are usually media round-ups.
        # A paragraph that is itself a round-up ("Spoke to X about Y, and to Z about W") comes
        # after all of them, wherever it stands.
        para = sum(1 for p in para_starts if p <= off) - 1
        later = 1.0 if roundup[para] else 0.25 * sum(1 for r in roundup[:para] if not r)
        spans = gaz.find_all(sent, intro_line)
        for k, (s, e, ref) in enumerate(spans):
            if k + 1 < len(spans) and POSSESSIVE_GAP.fullmatch(sent[e : spans[k + 1][0]]):
                continue  # "Jamestown's China Brief": the publication is the possessed name
            before = sent[max(0, s - 300) : s]
            clause = _CLAUSE_BREAK.split(before)[-1]
            after = sent[e : e + 40]
            piece_after = _PIECE_AFTER.match(after)
            if piece_after and _NOT_OWN_BEFORE.found(before[-60:]):
                continue  # "my earlier RUSI piece"
            own = _OWN_PIECE_BEFORE.search(before)
            if not own:
                if piece_after:  # "New Foreign Policy piece", "My latest Straits Times column"
                    cands.append((2.0 - later, off + s, ref))
                elif not _NOT_OWN_BEFORE.found(before) and not _APPEARANCE_BEFORE.found(before):
                    # named with no verb tying it to the piece ("Over at the Lowy Interpreter, ..."):
                    # the publisher only if nothing better turns up
                    cands.append((0.3 - later, off + s, ref))
                continue
            window = before[own.start() :]
            lead_in = before[max(0, own.start() - 30) : own.start()]  # "my earlier piece ..."
            first_word = _FIRST_WORD.match(window)
            if (
                _NOT_OWN_BEFORE.found(window)
                or _NOT_OWN_BEFORE.found(clause)
                or _NOT_OWN_BEFORE.found(lead_in)
                # "the latest sanctions package, appeared on Sky News": the appearance owns the outlet
                or _APPEARANCE_BEFORE.found(window, pos=first_word.end() if first_word else 0)
            ):
                continue
            score = 2.0 if _STRONG_PIECE.found(window) else 1.0
            if _unknown_name(window, gaz, intro_line) is not None:
                score = 0.5  # "a piece for the Kestrel Review on the Straits Times": the home comes first
            cands.append((score - later, off + s, ref))
        # a home the gazetteer does not know: the name after "a piece for", as written
        unknown = _unknown_name(sent, gaz, intro_line)
        if unknown is not None:
            cands.append((1.5 - later, off + unknown[0], unknown[1]))
    return cands


def piece_outlet(
    intro: str,
    intro_line: int,
    head: list[tuple[int, str]],
    tail: list[tuple[int, str]],
    gaz: Gazetteer,
) -> OutletRef | None:
    """The outlet that published the post's own piece.

    Evidence order: the blogger's intro ("a piece for X"), then the head lines between title and
    body (byline "... For The Straits Times", outlet-typical date lines and captions), then the
    tail (publisher disclaimers). A bio's affiliation ("... at the Royal United Services
    Institute") is the author's employer, not the publisher, so bios are never used.
    """
    cache = gaz._intro_best
    best = cache.get(intro, False)
    if best is False:
        # the intro's verdict does not depend on its line (set below): remember it, since a post's
        # intro recurs on every tag page that lists the post
        cands = _intro_candidates(intro, intro_line, gaz)
        cands.sort(key=lambda c: (-c[0], c[1]))
        best = (cands[0][1], cands[0][2]) if cands else None
        if len(cache) >= _FOUND_CACHE:
            cache.clear()
        cache[intro] = best
    if best is not None:
        pos, ref = best
        # intro paragraphs arrive joined by blank lines, as in the file: count lines to the match
        return ref.model_copy(update={"line": intro_line + intro[:pos].count("\n")})
    signals = load_signals()
    for line_no, text in head:
        m = re.search(
            r"\b[Ff]or\s+((?:[Tt]he\s+)?[A-Z][\w'\u2019.&-]*(?:\s+[A-Z][\w'\u2019.&-]*){0,5})\s*$", text
        )
        if m and len(text) < 120:
            return gaz.resolve(m.group(1), line_no)
    for line_no, text in head:
        for sig in signals:
            if sig.where == "head" and sig.pattern.search(text):
                return gaz.resolve(sig.canonical, line_no).model_copy(update={"matched_text": text.strip()})
    for line_no, text in head:
        # an image file name that starts with the outlet's name ("telegraph_turkey-isis-2017")
        m = re.fullmatch(r"\s*([A-Za-z]{5,})[-_][\w.-]+\s*", text)
        entry = gaz.lookup(m.group(1)) if m else None
        if entry is not None and not entry.generic:
            return gaz.ref(entry, text, line_no)
    for line_no, text in tail:
        for sig in signals:
            if sig.where == "tail" and sig.pattern.search(text):
                return gaz.resolve(sig.canonical, line_no).model_copy(update={"matched_text": text.strip()})
    return None
