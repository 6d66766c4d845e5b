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


@lru_cache(maxsize=4096)  # a post seen on several tag pages has the same body each time
def fingerprint(text: str, shingle: int = 3) -> str:
    """64-bit simhash of word 3-shingles, hex; equal or close for near-identical texts.

    A bottom-k sample (``SAMPLE``) of the distinct shingles, by a cheap stable hash of per-word
    CRCs (no string per shingle), each shingle taken at its first occurrence; its bits are the
    majority vote of the sampled shingles' 64-bit blake2b digests. The selection and the vote run
    in numpy (a sort of the shingle hashes, a bit matrix summed by column): in Python they were
    most of the fingerprint's cost, and the fingerprint a tenth of the parse.
    """
    words = normalise_words(text)
    word_hash = list(map(_WORD_CRC.__getitem__, words))
    if len(word_hash) < shingle:
        offsets = [0]  # one shingle: the whole text
    else:
        # a tuple of ints hashes the same in every process (only str hashing is salted)
        triples = zip(*(word_hash[k:] for k in range(shingle)), strict=False)
        hashes = np.fromiter(map(hash, triples), dtype=np.int64, count=len(word_hash) - shingle + 1)
        # the distinct hashes in ascending order, each with the offset of its first occurrence
        offsets = np.unique(hashes, return_index=True)[1][:SAMPLE].tolist()
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
