"""Media appearances reported in a post's intro and round-up paragraphs.

The blogger reports appearances in run-on lists ("spoke to the Guardian about X, to AFP about Y,
and finally an interview on the radio for TalkRadio"), mixed with talk about his own writing
("my earlier piece for the Telegraph was picked up in the Hindustan Times"). So each outlet named
in a sentence is judged by the words in its own clause: an appearance cue (spoke, interview,
panel, picked up ...) makes it a mention; own-work words (piece, article, paper ...) make it the
blogger's writing, which is not; a clause with neither inherits the verdict of the list it
continues. The cue words are data (`data/mention_cues.json`).
"""

from __future__ import annotations

import json
import re
import weakref
from dataclasses import dataclass
from functools import lru_cache

from transforms.folding import FoldedPattern
from transforms.models import Medium, Mention, OutletRef
from transforms.outlets import DATA_DIR, POSSESSIVE_GAP, Gazetteer, fold
from transforms.phrases import phrase_regex

# Clause separators inside one sentence: a list item starts after one of these.
_SEP = re.compile(
    r"[,;:()]|\s(?:and|while|but|whereas|also|plus|including|as well as)\s|\s-\s", re.IGNORECASE
)
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


@dataclass(frozen=True)
class Cues:
    """Compiled cue patterns from `data/mention_cues.json`."""

    appearance: re.Pattern[str]
    own_work: re.Pattern[str]
    own_after: re.Pattern[str]
    not_after: re.Pattern[str]
    medium: tuple[tuple[str, re.Pattern[str]], ...]
    kind_medium: dict[str, str]
    outlet_words: frozenset[str]
    interviewer: re.Pattern[str]
    not_outlet_words: frozenset[str]


def _words(words: list[str]) -> str:
    return phrase_regex(words, loose=True)


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    """Read and compile the cue words once."""
    raw = json.loads((DATA_DIR / "mention_cues.json").read_text(encoding="utf-8"))
    return Cues(
        appearance=re.compile(rf"\b(?:{_words(raw['appearance'])})\b", re.IGNORECASE),
        own_work=re.compile(rf"\b(?:{_words(raw['own_work'])})s?\b", re.IGNORECASE),
        own_after=re.compile(
            rf"^\s*(?:'s\s+)?(?-i:[A-Z][\w-]*\s+){{0,2}}(?:{_words(raw['own_work'])})s?\b", re.IGNORECASE
        ),
        not_after=re.compile(
            rf"^\s*(?:'s\s+)?(?:[\w-]+\s+){{0,2}}(?:{_words(raw['not_appearance_after'])})\b", re.IGNORECASE
        ),
        medium=tuple(
            (m, re.compile(rf"\b(?:{_words(ws)})\b", re.IGNORECASE)) for m, ws in raw["medium"].items()
        ),
        kind_medium=dict(raw["kind_medium"]),
        outlet_words=frozenset(raw["outlet_words"]),
        not_outlet_words=frozenset(raw["not_outlet_words"]),
        # "interview in CTC Sentinel with Lord Evans": he asked the questions, so it is his own work.
        interviewer=re.compile(rf"^\s*with\s+(?:{_words(raw['interviewee_titles'])})\.?\s+[A-Z]"),
    )


_APPEARANCE_AFTER = re.compile(
    r"^\s*(?:'s\s+)?(?:[\w-]+\s+)?(?:interview|podcast|panel|programme|program|show|briefing|webinar|"
    r"broadcast|radio\s+show|tv\s+show|talking|speaking|discussing|to\s+discuss|to\s+talk|"
    r"(?:quoted|interviewed|cited|featured|hosted|invited|had|asked|mentioned)\s+me|"
    r"(?:used|ran|carried|reproduced|republished|picked\s+up)\s+(?:some\s+of\s+)?(?:my|me)\b)\b",
    re.IGNORECASE,
)


def _before_subject(text: str) -> str:
    """``text`` up to its last 'about': own-work words after it are the subject ("about my piece")."""
    starts = [m.start() for m in re.finditer(r"\b(?:about|regarding)\b", text, re.IGNORECASE)]
    return text[: starts[-1]] if starts else text


def _last(pattern: re.Pattern[str], text: str) -> int:
    """End offset of the last match of ``pattern`` in ``text`` (-1 if none)."""
    pos = -1
    for m in pattern.finditer(text):
        pos = m.end()
    return pos


def _segment_start(sentence: str, upto: int) -> int:
    """Start of the clause (list item) that contains offset ``upto``."""
    start = 0
    for m in _SEP.finditer(sentence, 0, upto):
        start = m.end()
    return start


# Unknown outlets after strong cues: "spoke to the Kabul Daily about", "picked up by Foo News".
_UNKNOWN_AFTER_CUE = FoldedPattern.compile(
    r"\b(?:spoke|speaking|talked|talking)\s+(?:to|with)\s+(the\s+)?"
    r"|\b(?:picked\s+up|reproduced|republished|quoted|featured|used)\s+(?:by|in|on)\s+(the\s+)?"
    r"|\b(?:appeared|interview(?:ed)?|podcast|panel)\s+(?:on|with|for|by)\s+(the\s+)?"
    r"|(?P<cont>[,;]\s*(?:and\s+)?|\band\s+)to\s+(the\s+)?"
)  # folded (see transforms/folding.py): searched in every intro sentence
_UNNAMED_EVENT = re.compile(
    r"\b(?:an?|the)\s+(?:\w+\s+)?(?:event|conference|panel|seminar|lecture|workshop|round-?table)\s+"
    r"(?:that\s+)?I\s+(?:spoke|participated|took\s+part|talked|presented)\b[^.;]{0,80}"
    r"|\b(?:spoke|talked|presented)\s+at\s+(?:an?|the)\s+(?:\w+\s+)?"
    r"(?:event|conference|seminar|workshop|round-?table)\b[^.;]{0,80}",
    re.IGNORECASE,
)
_SPEAK = re.compile(r"\b(?:spoke|speaking|spoken|talked|talking)\s+(?:to|with)\b", re.IGNORECASE)
_CAPS = re.compile(r"((?:[A-Z][\w'.&/-]*)(?:\s+(?:of|for|and|on|&)?\s*[A-Z][\w'.&/-]*){0,5})")


def _unknown_outlets(
    sentence: str, known: list[tuple[int, int, OutletRef]], gaz: Gazetteer, line: int, cues: Cues
) -> list[tuple[int, int, OutletRef]]:
    out: list[tuple[int, int, OutletRef]] = []
    for m in _UNKNOWN_AFTER_CUE.finditer(sentence):
        if m.group("cont") is not None and not _SPEAK.search(sentence, 0, m.start()):
            continue  # ", to the X" continues a "spoke to" list only
        cm = _CAPS.match(sentence, m.end())
        if not cm:
            continue
        s, e = cm.start(1), cm.end(1)
        if any(not (e <= ks or s >= ke) for ks, ke, _ in known):
            continue
        name = cm.group(1).rstrip(".'")
        had_the = any(g and g.strip().lower() == "the" for g in m.groups())
        words = set(re.findall(r"[A-Za-z]+", name))
        if not (had_the or words & cues.outlet_words) or name.isupper() and len(name) < 3:
            continue
        if words & cues.not_outlet_words:
            continue  # "spoke to the Foreign Office": an institution or a person's title, not media
        ref = gaz.resolve(name, line)
        if not ref.in_gazetteer:  # gazetteer names were already judged by find_all
            out.append((s, s + len(name), ref))
    return out


def _medium(evidence: str, ref: OutletRef | None, cues: Cues) -> Medium:
    for medium, pattern in cues.medium:
        if pattern.search(evidence):
            return medium  # type: ignore[return-value]
    if ref is not None and ref.outlet_kind:
        return cues.kind_medium.get(ref.outlet_kind, "other")  # type: ignore[return-value]
    return "online" if ref is not None else "other"


_ABOUT = re.compile(
    r"^[^,;.]{0,40}?\b(?:about|on|over|regarding|discussing|looking at)\s+"
    r"(.+?)(?=\s*[,;(]|\.(?:\s|$)|\s(?:which|while|where|but|was|were|has|had|and\s+(?:was|were|this|my|it))\b|$)"
)


def _about(after: str) -> str | None:
    m = _ABOUT.match(after)
    if not m:
        return None
    text = m.group(1).strip(" ,")
    return text[:200] or None


def _same(a: OutletRef | None, b: OutletRef | None) -> bool:
    return a is not None and b is not None and a.name.casefold() == b.name.casefold()


def extract_mentions(
    paragraphs: list[tuple[int, str]], piece_outlet: OutletRef | None, gaz: Gazetteer
) -> list[Mention]:
    """Every media appearance the paragraphs report, in text order.

    Not counted: the post's own piece, the blogger's own earlier writing, outlets that are only
    the subject of a clause ("a plot uncovered by some Sunday Times reporters"). Counted: the
    outlets that picked up or reproduced his writing.
    """
    cues = load_cues()
    mentions: list[Mention] = []
    for line, raw in paragraphs:
        text = fold(raw)
        start = 0
        sentences: list[tuple[int, str]] = []
        for m in _SENT.finditer(text):
            sentences.append((start, text[start : m.start()]))
            start = m.end()
        sentences.append((start, text[start:]))
        for _off, sent in sentences:
            mentions.extend(_sentence_mentions(sent, line, piece_outlet, gaz, cues))
    return mentions


# per gazetteer: (sentence, the piece's outlet, cues) -> (line, mentions, outlet-is-the-piece flags)
_Cached = tuple[int, list[Mention], list[bool]]
_SENTENCE_CACHE: weakref.WeakKeyDictionary[Gazetteer, dict[tuple[object, ...], _Cached]] = (
    weakref.WeakKeyDictionary()
)
_SENTENCE_CACHE_MAX = 20_000


def _sentence_mentions(
    sent: str, line: int, piece: OutletRef | None, gaz: Gazetteer, cues: Cues
) -> list[Mention]:
    """The mentions of one sentence, remembered: a post's intro recurs on every tag page listing it.

    Only the line numbers differ between recurrences (the mention's, and that of an outlet found
    in the sentence, which is the sentence's line); the piece's own outlet is passed through as given.
    """
    cache = _SENTENCE_CACHE.get(gaz)
    if cache is None:
        cache = _SENTENCE_CACHE[gaz] = {}
    # Of the piece's outlet only its name (_same) and kind (_medium) are read; it is passed through
    # as given. cues: load_cues() keeps one object for the process.
    key = (sent, None if piece is None else (piece.name, piece.outlet_kind), id(cues))
    hit = cache.get(key)
    if hit is None:
        found = _sentence_mentions_uncached(sent, line, piece, gaz, cues)
        if len(cache) >= _SENTENCE_CACHE_MAX:
            cache.clear()
        hit = cache[key] = (line, found, [m.outlet is piece and piece is not None for m in found])
    first_line, found, is_piece = hit
    out: list[Mention] = []
    for m, own in zip(found, is_piece, strict=True):
        outlet = m.outlet
        if own:
            outlet = piece
        elif outlet is not None:
            outlet = outlet.model_copy(update={"line": line} if outlet.line == first_line else None)
        out.append(m.model_copy(update={"line": line, "outlet": outlet}))
    return out


def _sentence_mentions_uncached(
    sent: str, line: int, piece: OutletRef | None, gaz: Gazetteer, cues: Cues
) -> list[Mention]:
    spans = gaz.find_all(sent, line)
    spans = sorted(spans + _unknown_outlets(sent, spans, gaz, line, cues), key=lambda t: t[0])
    out: list[Mention] = []
    mode: bool | None = None  # verdict of the list the next clause may continue
    prev_end = 0
    last_end = 0
    for k, (s, e, ref) in enumerate(spans):
        if k + 1 < len(spans) and POSSESSIVE_GAP.fullmatch(sent[e : spans[k + 1][0]]):
            continue  # "Jamestown's China Brief": the appearance is in the possessed outlet
        seg = _segment_start(sent, s)
        local = sent[max(seg, 0) : s]
        after = sent[e:]
        cue_at = _last(cues.appearance, local)
        own_at = _last(cues.own_work, local)
        gap = sent[prev_end:s]
        if _APPEARANCE_AFTER.match(after):
            verdict = True  # "a Press Association interview was used in ..."
        elif cues.interviewer.match(after) and re.search(r"\binterview", local, re.IGNORECASE):
            verdict = False
        elif re.search(r"\b(?:colleagues?|friends?|fellows?)\s+(?:from|at)\s+$", local, re.IGNORECASE):
            verdict = False  # "colleagues from RUSI": an affiliation, not an appearance
        elif cues.own_after.match(after) and (
            cue_at < 0 or re.search(r"\b(?:my|our)\b", local, re.IGNORECASE)
        ):
            verdict = False  # "my recent Observer piece", "RSIS CTTA article"
        elif cues.not_after.match(after) and _last(cues.appearance, gap) < 0:
            prev_end = e
            continue  # "some Sunday Times reporters", "RSIS colleague": not part of any list
        elif cue_at >= 0 or own_at >= 0:
            verdict = cue_at > own_at
        elif mode and re.fullmatch(
            r"\s*(?:(?:and|then|finally|also|again)\s+)*to\s+(?:the\s+)?", local, re.IGNORECASE
        ):
            verdict = True  # ", to the BBC": the next item of a "spoke to" list
        elif _last(cues.appearance, gap) >= 0 or _last(cues.own_work, _before_subject(gap)) >= 0:
            verdict = _last(cues.appearance, gap) > _last(cues.own_work, _before_subject(gap))
        elif mode is not None:
            verdict = mode
        else:
            before = sent[:s]
            verdict = _last(cues.appearance, before) > _last(cues.own_work, before)
        mode = verdict
        prev_end = e
        if not verdict or _same(ref, piece):
            continue
        gap_text = sent[last_end:s]
        if (
            out
            and _same(out[-1].outlet, ref)
            and len(gap_text) < 25
            and not re.search(r"[,;]|\band\b", gap_text)
        ):
            last_end = e
            continue  # "the Observer Research Foundation (ORF)", "RFE/RL's Majlis podcast": one appearance
        last_end = e
        clause_end = _SEP.search(sent, e + 1)
        evidence = sent[seg : clause_end.start() if clause_end else len(sent)].strip()
        about = _about(after)
        if about:
            ev_end = sent.find(about, e) + len(about)
            evidence = sent[seg:ev_end].strip()
        near = sent[seg:e] + re.split(r"[,;.]", sent[e : e + 30])[0]
        out.append(
            Mention(
                outlet=ref,
                medium=_medium(near, ref, cues),
                about=about,
                evidence=evidence or sent.strip(),
                line=line,
            )
        )
    if not spans:
        m = _UNNAMED_EVENT.search(sent)
        if m:
            # "an event I spoke at in Rome": an appearance with no outlet named (kept, outlet None)
            out.append(Mention(outlet=None, medium="panel", about=None, evidence=m.group(0), line=line))
            return out
    if not spans and piece is not None:
        # "am doing a webinar today about it": an event about the piece, hosted by its publisher.
        m = re.search(
            r"\b(webinar|panel|podcast|launch event|event)\b[^.]{0,40}\babout\s+(?:it|this|the\s+paper)\b",
            sent,
            re.IGNORECASE,
        )
        if m:
            out.append(
                Mention(
                    outlet=piece,
                    medium=_medium(m.group(0), piece, cues),
                    about=None,
                    evidence=m.group(0),
                    line=line,
                )
            )
    return out
