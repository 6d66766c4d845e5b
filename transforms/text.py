"""Bytes to text, text to physical lines, and small text helpers shared by the parser.

Why here: every layer counts lines the same way as the scorer (1-based physical lines, a
``\\r\\n`` ends one line), so decoding and line splitting live in exactly one place.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Byte order marks, longest first (a UTF-32-LE mark starts like a UTF-16-LE one), and the codec
# that reads the file including its mark (the name recorded in ``dumps.encoding``).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# When charset detection finds several single-byte code pages equally plausible (English text
# with a few accented letters fits cp1250, cp1252 and cp1257 alike), the Western one wins.
_PREFERRED_ON_TIE: tuple[str, ...] = ("cp1252", "latin_1", "iso8859_15", "cp1250")
# With this few bytes above ASCII, detection has nothing to go on (it named a stray byte in English
# text mac_iceland or cp1125): the Western code page is the likely one and differs only in them.
FEW_HIGH_BYTES = 16
# Longest physical line a dump may have. Archive dumps hold one paragraph per line (a few KB);
# a line of megabytes is a file whose line breaks were lost, and parsing it costs seconds per MB.
MAX_LINE_CHARS = 1_000_000
_ASCII = bytes(range(128))


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
    """Decode a dump's bytes; returns (text, encoding name). Never raises for odd bytes.

    In order: a byte order mark (UTF-32, UTF-8, UTF-16); UTF-16/32 without a mark, told by
    the pattern of NUL bytes; strict UTF-8 (the normal case); UTF-8 cut inside its last
    character (a truncated dump) or with a few stray bytes among many well-formed accented
    characters (read as UTF-8, the stray bytes become U+FFFD); cp1252 when only a handful
    of bytes are above ASCII (too few for detection); charset detection
    (charset-normalizer); cp1252 as the last resort (it maps every byte except five, which
    are replaced). A file whose lines end in a bare ``\\r`` only (old Mac line endings)
    gets ``\\n`` line ends, or it would be one line.
    """
    text, encoding = _decode(data)
    if "\r" in text and "\n" not in text:
        text = text.replace("\r", "\n")
    return text, encoding


def _lenient(data: bytes, codec: str) -> str:
    """Strict when the bytes allow it, else with U+FFFD for what does not decode (e.g. a cut last unit)."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return data.decode(codec, errors="replace")


def _wide_without_bom(data: bytes) -> str | None:
    """UTF-16 or UTF-32 without a byte order mark, told by where the NUL bytes fall (Latin text)."""
    sample = data[: 1 << 16]
    n = len(sample) // 4 * 4
    if n < 8:
        return None
    lanes = [sample[i:n:4].count(0) / (n // 4) for i in range(4)]
    # UTF-32: the top two bytes of every character below U+10000 are NUL.
    if min(lanes[2:]) > 0.9 and lanes[0] < 0.5:
        return "utf-32-le"
    if min(lanes[:2]) > 0.9 and lanes[3] < 0.5:
        return "utf-32-be"
    # UTF-16: every ASCII character (spaces, digits, punctuation in any script) has a NUL high byte.
    even, odd = (lanes[0] + lanes[2]) / 2, (lanes[1] + lanes[3]) / 2
    if odd >= 0.1 and even <= odd / 20:
        return "utf-16-le"
    if even >= 0.1 and odd <= even / 20:
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes, error: UnicodeDecodeError) -> str | None:
    """UTF-8 with a cut last character or a few stray bytes, read as UTF-8 (U+FFFD for those), or None."""
    if error.end == len(data) and error.reason == "unexpected end of data":
        return data[: error.start].decode("utf-8") + "\ufffd"  # everything before the first error is valid
    text = data.decode("utf-8", errors="replace")
    stray = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    accented = len(text) - len(text.encode("ascii", "ignore")) - text.count("\ufffd")
    if accented >= 4 * stray and stray <= max(FEW_HIGH_BYTES, len(data) // 10_000):
        return text
    return None


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            if codec == "utf-32" and bom == b"\xff\xfe\x00\x00":
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass
                try:  # a UTF-16-LE mark followed by a NUL character
                    return data.decode("utf-16"), "utf-16"
                except UnicodeDecodeError:
                    pass
            return _lenient(data, codec), codec
    wide = _wide_without_bom(data)
    if wide is not None:
        return _lenient(data, wide), wide
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        mostly = _mostly_utf8(data, exc)
        if mostly is not None:
            return mostly, "utf-8"
    if len(data) - len(data.translate(None, _ASCII)) <= FEW_HIGH_BYTES:
        try:
            return data.decode("cp1252"), "cp1252"
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

    Cached: segmentation and anatomy look at the same lines many times. Most lines are clean
    already: every white-space character but the space is unprintable (categories Cc, Zs, Zl,
    Zp), so a printable line with no double space and no space at either end is its own clean
    form, found by a scan in C with no copy (2.5x cheaper than the split and join).
    """
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    # == re.sub(r"\s+", " ", ...).strip(): str.split() splits on exactly the characters \s matches
    return " ".join(line.replace("\u00a0", " ").split())


def is_blank(line: str) -> bool:
    """True for lines with nothing but white space (NBSP and zero-width marks included)."""
    return not line.replace("\u200b", "").replace("\ufeff", "").strip()


_QUOTE_FOLDS = (
    ("\u2018", "'"),
    ("\u2019", "'"),
    ("\u201c", '"'),
    ("\u201d", '"'),
    ("\u2013", "-"),
    ("\u2014", "-"),
    ("\u00a0", " "),
)


def fold_quotes(text: str) -> str:
    """Unify typographic quotes and dashes (for matching, never for output)."""
    # str.replace per character present: translate() with a dict table costs ~10x on long text
    if text.isascii():
        return text
    for ch, to in _QUOTE_FOLDS:
        if ch in text:
            text = text.replace(ch, to)
    return text


_LEADING_THE = re.compile(r"^the\s+")
_NON_WORD = re.compile(r"[^\w]+")
# ASCII bytes -> themselves if the regex's \w takes them, else a space (the same split as _NON_WORD,
# but bytes.translate + str.split run ~4x faster than the regex on long bodies)
_ASCII_WORD_TABLE = bytes(c if c < 128 and re.fullmatch(r"\w", chr(c)) else 32 for c in range(256))


def normalise_key(text: str) -> str:
    """Aggressive normal form for identity: NFKC, case-folded, letters and digits only."""
    return " ".join(normalise_words(text))


def normalise_words(text: str) -> list[str]:
    """The words of ``normalise_key(text)``, without joining them only to split them again.

    Why: a body's fingerprint needs its words, and the join and split of a long body cost as
    much as the normalisation. (No character is both ``\\w`` and white space, so splitting the
    text between its non-word runs gives exactly the words of the key.)
    """
    text = unicodedata.normalize("NFKC", fold_quotes(text)).casefold()
    text = _LEADING_THE.sub("", text.strip())
    if text.isascii():
        return text.encode("ascii").translate(_ASCII_WORD_TABLE).decode("ascii").split()
    return _NON_WORD.sub(" ", text).split()


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z\u201c\"'(])")


def sentences(text: str, limit: int = 0) -> list[str]:
    """Rough sentence split (enough for cue scoring, not for linguistics).

    ``limit``: only the first that many sentences (all when 0); the segmenter reads a paragraph's
    first few and need not split the rest. (No part is empty, since a break needs the punctuation
    before it, so the first parts of a limited split are the first sentences.)
    """
    parts = _SENTENCE_BREAK.split(text.strip(), limit)
    if limit and len(parts) > limit:
        parts.pop()  # the unsplit rest
    return [p for p in parts if p]


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z\u00c0-\u024f][\w'\u2019-]*", text)
