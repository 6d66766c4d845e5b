"""Stable ids that do not depend on the dump, the position or small edits.

post_id: normalised title (or, for a round-up, the intro's opening words) plus the intro's
first words, so one blog post keeps its id across crawls. article_id: the normalised title
alone, so the same piece re-posted (e.g. the same letter on two tag pages) joins one article.
fingerprint: a simhash of body word shingles for near-duplicate matching in the warehouse.
"""

from __future__ import annotations

import hashlib
import zlib
from functools import lru_cache

import numpy as np

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


# CPython's tuple hash (xxHash's round on each item's hash, since Python 3.8), on 64-bit builds
_XXPRIME_1 = np.uint64(11400714785074694791)
_XXPRIME_2 = np.uint64(14029467366897019727)
_XXPRIME_5 = np.uint64(2870177450012600261)
_ROT_LEFT, _ROT_RIGHT = np.uint64(31), np.uint64(33)
_MINUS_ONE = np.uint64(2**64 - 1)


def shingle_hashes(word_hash: np.ndarray, shingle: int) -> np.ndarray:
    """``hash(tuple(word_hash[k : k + shingle]))`` for every k, as int64, vectorised.

    Why: the tuple hash of each shingle, one Python call per word, was a fifth of the
    fingerprint; the same arithmetic over whole arrays (uint64 wraps as C's does) gives the very
    values (tests/test_identity.py holds the two to each other). A crc32 is its own ``hash``.
    """
    n = len(word_hash) - shingle + 1
    acc = np.full(n, _XXPRIME_5, dtype=np.uint64)
    for k in range(shingle):
        acc += word_hash[k : k + n] * _XXPRIME_2
        acc = (acc << _ROT_LEFT) | (acc >> _ROT_RIGHT)
        acc *= _XXPRIME_1
    acc += np.uint64(shingle ^ (2870177450012600261 ^ 3527539))
    acc[acc == _MINUS_ONE] = 1546275796  # CPython's stand-in for a hash of -1
    return acc.view(np.int64)


def _first_of_runs(ranked: np.ndarray) -> np.ndarray:
    """Of sorted values, where each run of equal ones starts."""
    keep = np.empty(len(ranked), dtype=bool)
    keep[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=keep[1:])
    return keep


def bottom_k(hashes: np.ndarray, k: int) -> list[int]:
    """The offset of the first occurrence of each of the ``k`` smallest distinct values, smallest first.

    == ``np.unique(hashes, return_index=True)[1][:k]`` at half its cost: a plain sort finds the
    k-th smallest distinct value, and only the values up to it (about k of them) get the stable
    sort that tells first occurrences apart.
    """
    ranked = np.sort(hashes)
    cut = ranked[_first_of_runs(ranked)][:k][-1]
    near = np.flatnonzero(hashes <= cut)  # every occurrence of the k smallest values, in order
    order = hashes[near].argsort(kind="stable")
    return near[order[_first_of_runs(hashes[near][order])]].tolist()


@lru_cache(maxsize=4096)  # a post seen on several tag pages has the same body each time
def fingerprint(text: str, shingle: int = 3) -> str:
    """64-bit simhash of word 3-shingles, hex; equal or close for near-identical texts.

    A bottom-k sample (``SAMPLE``) of the distinct shingles, by a cheap stable hash of per-word
    CRCs (no string per shingle: ``shingle_hashes``), each shingle taken at its first occurrence;
    its bits are the majority vote of the sampled shingles' 64-bit blake2b digests. The selection
    and the vote run in numpy (a sort of the shingle hashes, a bit matrix summed by column): in
    Python they were most of the fingerprint's cost, and the fingerprint a tenth of the parse.
    """
    words = normalise_words(text)
    if len(words) < shingle:
        offsets = [0]  # one shingle: the whole text
    else:
        word_hash = np.fromiter(map(_WORD_CRC.__getitem__, words), dtype=np.uint64, count=len(words))
        hashes = shingle_hashes(word_hash, shingle)
        # the distinct hashes in ascending order, each with the offset of its first occurrence
        offsets = bottom_k(hashes, SAMPLE)
    blake2b = hashlib.blake2b
    digests = b"".join(
        [blake2b(" ".join(words[k : k + shingle]).encode("utf-8"), digest_size=8).digest() for k in offsets]
    )
    # one row of 64 bits per shingle, most significant first; a column's bit is set by a majority
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 8), axis=1)
    majority = bits.sum(axis=0) > len(offsets) / 2
    return np.packbits(majority).tobytes().hex()


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")
