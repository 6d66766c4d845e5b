"""Bytes to text, text to physical lines, and small text helpers shared by the parser.

Why here: every layer counts lines the same way as the scorer (1-based physical lines, a
``\\r\\n`` ends one line), so decoding and line splitting live in exactly one place.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# When charset detection finds several single-byte code pages equally plausible (English text
# with a few accented letters fits cp1250, cp1252 and cp1257 alike), the Western one wins.
_PREFERRED_ON_TIE: tuple[str, ...] = ("cp1252", "latin_1", "iso8859_15", "cp1250")
# Longest physical line a dump may have. Archive dumps hold one paragraph per line (a few KB);
# a line of megabytes is a file whose line breaks were lost, and parsing it costs seconds per MB.
MAX_LINE_CHARS = 1_000_000


def _detect(data: bytes) -> tuple[str, str] | None:
    """charset-normalizer's best guess, with ties between code pages broken towards cp1252."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional dependency
        return None
    results = from_bytes(data)
    best = results.best()
    if best is None or not best.encoding:
        return None
    text = str(best)
    # A code page that reads these bytes exactly as the best guess does is as good a name for them.
    for preferred in _PREFERRED_ON_TIE:
        if preferred == best.encoding:
            break
        try:
            if data.decode(preferred) == text:
                return text, preferred
        except UnicodeDecodeError:
            continue
    tied = [m for m in results if m.chaos == best.chaos and m.coherence == best.coherence and m.encoding]
    for preferred in _PREFERRED_ON_TIE:
        for match in tied:
            if match.encoding == preferred:
                return str(match), match.encoding
    return text, best.encoding


def decode(data: bytes) -> tuple[str, str]:
    """Decode a dump's bytes; returns (text, encoding name).

    BOMs first, then strict UTF-8 (the normal case), then charset detection
    (charset-normalizer), then cp1252 as the last resort (it maps every byte except five,
    which we replace) so odd bytes never stop a load. A file whose lines end in a bare
    ``\r`` only (old Mac line endings) gets ``\n`` line ends, or it would be one line.
    """
    text, encoding = _decode(data)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return data.decode(enc), enc
    if len(data) >= 4 and data[1:2] == b"\x00" and data[3:4] == b"\x00":
        try:
            return data.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(data)
    if detected is not None:
        return detected
    return data.decode("cp1252", errors="replace"), "cp1252"


def text_problem(text: str) -> str | None:
    """Why decoded text cannot be an archive dump before parsing it (cheap), or None.

    Guards the parser against input whose cost is out of proportion: one line of megabytes.
    """
    longest = 0
    start = 0
    while True:
        end = text.find("\n", start)
        stop = len(text) if end < 0 else end
        longest = max(longest, stop - start)
        if longest > MAX_LINE_CHARS:
            size = len(text.encode("utf-8", "replace")) / 1e6
            return (
                f"one line is more than {MAX_LINE_CHARS:,} characters long ({size:.1f} MB of text in all): "
                "archive dumps have one paragraph per line, so its line breaks were lost or it is not a dump"
            )
        if end < 0:
            return None
        start = end + 1


def split_lines(text: str) -> list[str]:
    """Physical lines: ``\\n`` ends a line, a ``\\r`` before it belongs to the ending.

    A final newline does not open an extra empty line, so len() matches an editor's count.
    """
    if not text:
        return []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


@lru_cache(maxsize=1 << 16)
def clean(line: str) -> str:
    """A line for analysis: NBSPs and runs of white space collapsed, ends stripped.

    Cached: segmentation and anatomy look at the same lines several times.
    """
    return re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip()


def is_blank(line: str) -> bool:
    """True for lines with nothing but white space (NBSP and zero-width marks included)."""
    return not line.replace("\u200b", "").replace("\ufeff", "").strip()


def fold_quotes(text: str) -> str:
    """Unify typographic quotes and dashes (for matching, never for output)."""
    table = str.maketrans(
        {
            "\u2018": "'",
            "\u2019": "'",
            "\u201c": '"',
            "\u201d": '"',
            "\u2013": "-",
            "\u2014": "-",
            "\u00a0": " ",
        }
    )
    return text.translate(table)


def normalise_key(text: str) -> str:
    """Aggressive normal form for identity: NFKC, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKC", fold_quotes(text)).casefold()
    text = re.sub(r"^the\s+", "", text.strip())
    return re.sub(r"[^\w]+", " ", text).strip()


def sentences(text: str) -> list[str]:
    """Rough sentence split (enough for cue scoring, not for linguistics)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\u201c\"'(])", text.strip())
    return [p for p in parts if p]


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*", text)
