"""Stable ids that do not depend on the dump, the position or small edits.

post_id: normalised title (or, for a round-up, the intro's opening words) plus the intro's
first words, so one blog post keeps its id across crawls. article_id: the normalised title
alone, so the same piece re-posted (e.g. the same letter on two tag pages) joins one article.
fingerprint: a simhash of body word shingles for near-duplicate matching in the warehouse.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable
from functools import lru_cache

from transforms.text import normalise_key, normalise_words

INTRO_WORDS = 12
SAMPLE = 64  # shingles per fingerprint: enough for near-duplicates, 4x cheaper than 256


def _h(text: str, n: int = 16) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:n]


def article_id(title: str) -> str:
    return "a_" + _h(normalise_key(title))


def post_id(intro: str, title: str | None) -> str:
    head = " ".join(normalise_words(intro)[:INTRO_WORDS])
    return "p_" + _h(head + "|" + normalise_key(title or ""))


class _CrcCache(dict[str, int]):
    """crc32 of a word's UTF-8 bytes, remembered (prose reuses a small vocabulary)."""

    def __missing__(self, word: str) -> int:
        if len(self) > 500_000:
            self.clear()
        value = self[word] = zlib.crc32(word.encode("utf-8"))
        return value


_WORD_CRC = _CrcCache()


@lru_cache(maxsize=4096)  # a post seen on several tag pages has the same body each time
def fingerprint(text: str, shingle: int = 3) -> str:
    """64-bit simhash of word 3-shingles, hex; equal or close for near-identical texts.

    The bit columns are counted on one bit string of all the sampled shingles' hashes (C-speed
    slicing), because a per-bit Python loop over every shingle dominated the parse time of large
    dumps; the string comes from one ``format`` of their concatenated digests, not one per shingle.
    """
    words = normalise_words(text)
    # bottom-k sample of shingles by a cheap stable hash of per-word CRCs (no string per shingle):
    # the same text always keeps the same shingles
    word_hash = list(map(_WORD_CRC.__getitem__, words))
    # a tuple of ints hashes the same in every process (only str hashing is salted)
    if len(word_hash) < shingle:
        triples: Iterable[tuple[int, ...]] = [tuple(word_hash)]
    else:
        triples = zip(*(word_hash[k:] for k in range(shingle)), strict=False)
    # shingle hash -> offset of its first occurrence (built back to front, so the first one wins)
    hashes = list(map(hash, triples))
    keys = dict(zip(reversed(hashes), range(len(hashes) - 1, -1, -1), strict=True))
    grams = [" ".join(words[keys[k] : keys[k] + shingle]) for k in sorted(keys)[:SAMPLE]]
    blake2b = hashlib.blake2b
    digests = b"".join([blake2b(g.encode("utf-8"), digest_size=8).digest() for g in grams])
    # == "".join(format(int.from_bytes(d, "big"), "064b") for d in the digests), 64 bits a shingle
    bits = format(int.from_bytes(digests, "big"), f"0{8 * len(digests)}b")
    half = len(grams) / 2
    value = 0
    for col in range(64):
        if bits[col::64].count("1") > half:
            value |= 1 << (63 - col)
    return f"{value:016x}"


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")
