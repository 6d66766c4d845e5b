"""The kind of a piece (op-ed, letter, interview, report ...) from the words that present it.

Deterministic and descriptive, not scored by the evaluation: the most specific word the intro
uses for the piece wins ("a short paper for the X Program" is a report, "a letter in the Y" a
letter), then the outlet's kind (a journal's pieces are journal articles, a think tank's
commentaries). The outlet's own name is not a word for the piece ("a piece for China Brief" is
not a brief), nor is writing still to come ("a longer report which should be out shortly").
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.folding import FoldedPattern, lowered
from transforms.models import OutletRef

_PIECE_NOUNS = (
    r"piece|pieces|article|articles|letter|paper|commentary|op-ed|oped|post|posting|note|interview|chapter"
    r"|report|essay|column|analysis|brief|briefing|podcast|policy note|review"
)
# "a/another/new ... piece": the determiner within a few words before the noun
_OWN_PIECE = FoldedPattern.compile(
    rf"\b(?:a|an|another|new|latest|my latest|this)\s+(?:[\w'-]+\s+){{0,3}}?(?:{_PIECE_NOUNS})\b(?!-)"
)
_PIECE_FOR = re.compile(
    rf"\b(?i:{_PIECE_NOUNS}|latest|contribution|effort)[\s,]+(?:[\w'-]+\s+){{0,2}}?(?:for|in|with|on|at)\s+"
    r"(?:[a-z']{1,5}\s+(?:[a-z]+\s+)?)?[A-Z][\w'-]*(?:\s+[\w'-]+){0,2}"
)
_PRINT_RUN = FoldedPattern.compile(
    r"\b(?:ran|appeared|printed|made it|published)\s+(?:\w+\s+){0,3}?in\s+(?:the\s+)?"
    r"(?:print|paper|magazine|print edition|newspaper)\b",
)
_REPORT_WORD = re.compile(
    r"\b(?:paper|report|policy note|brief(?!\s+(?:item|piece|note|comment|post|article|look|thoughts?)\b))\b"
)
_FUTURE_WORK = FoldedPattern.compile(
    r"\b(?:should be out|will be out|due out|out shortly|out soon|coming soon|forthcoming|upcoming"
    r"|in the pipeline|to come|should be landing|will follow|may follow)\b"
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")
_GENERIC_NOUN = re.compile(r"\b(pieces?|articles?|posts?|posting)$")
_LETTER = re.compile(r"\bletter\b")
_INTERVIEW = re.compile(r"\binterview\b")
_PODCAST = re.compile(r"\bpodcast\b")
_COMMENTARY = re.compile(r"\bcommentary\b")


def _present_sentences(text: str) -> str:
    """The text without its sentences about future writing (kept whole when all of them are)."""
    if not _FUTURE_WORK.found(text):
        return text
    kept = [s for s in _SENTENCE_SPLIT.split(text) if not _FUTURE_WORK.found(s)]
    return " ".join(kept) or text


def _outlet_masked(text: str, outlet_text: str) -> str:
    """``text`` with the outlet's words, in any case, read as "Outlet".

    == ``re.sub(re.escape(outlet_text), "Outlet", text, flags=re.IGNORECASE)``, by a substring
    search of the lowered text where lowering is exact (transforms/folding.py): compiling a pattern
    per outlet cost more than the whole reading of the piece's kind.
    """
    low = lowered(text)
    if low is None or not outlet_text.isascii():
        return re.sub(re.escape(outlet_text), "Outlet", text, flags=re.IGNORECASE)
    needle = outlet_text.lower()
    parts: list[str] = []
    pos = 0
    at = low.find(needle)
    while at >= 0:
        parts += [text[pos:at], "Outlet"]
        pos = at + len(needle)
        at = low.find(needle, pos)
    return "".join(parts) + text[pos:] if parts else text


@lru_cache(maxsize=1 << 14)  # a pure function of its arguments, and a post recurs on several tag pages
def piece_kind(intro: str, title: str, outlet_kind: str | None, outlet_text: str | None = None) -> str:
    """Kind of piece from the words the intro uses for it, then the outlet's kind."""
    first_para = _present_sentences(intro.split("\n\n")[0])
    if outlet_text:
        first_para = _outlet_masked(first_para, outlet_text)
    found = [m.group(0).lower() for m in _OWN_PIECE.finditer(first_para)]
    own = found[0] if found else ""
    # A generic first noun ("a few pieces ... a short paper for the X Program") defers to a more
    # specific one that names where it ran.
    at = first_para.lower().find(own) if own else -1
    specific = first_para[at : at + len(own) + 12].lower() if at >= 0 else own
    if _GENERIC_NOUN.search(own):
        specific = " ".join(m.group(0).lower() for m in _PIECE_FOR.finditer(first_para))
    low_title = title.lower()
    if any(_LETTER.search(f) for f in found) or low_title.startswith("letter:"):
        return "letter"
    if _INTERVIEW.search(own):
        return "interview"
    if _PODCAST.search(own):
        return "podcast"
    if _REPORT_WORD.search(specific) and outlet_kind != "newspaper":
        return "report"
    if outlet_kind == "journal":
        return "journal-article"
    if _COMMENTARY.search(own) or low_title.startswith("commentary:"):
        return "commentary"
    if _PRINT_RUN.found(first_para):
        return "op-ed"
    if outlet_kind in ("think-tank", "magazine", "online", "wire", "blog"):
        return "commentary"
    return "op-ed"


def kind_paragraph(intro_lines: list[tuple[int, str]], outlet: OutletRef | None) -> str:
    """The intro paragraph that presents the piece: the one its outlet was read from, else all of it.

    A post may open with a round-up of appearances before the paragraph about the piece; the
    piece's kind is in the words of the latter.
    """
    if outlet is not None and outlet.line is not None:
        for line_no, text in intro_lines:
            if line_no == outlet.line:
                return text
    return "\n\n".join(t for _n, t in intro_lines)
