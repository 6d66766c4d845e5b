from transforms.identity import article_id, fingerprint, hamming, post_id


def test_article_id_tolerates_small_edits() -> None:
    assert article_id("The Over-Hyphenation of \u2018Widgets\u2019") == article_id(
        "the over-hyphenation of 'widgets' "
    )
    assert article_id("Widgets rule") != article_id("Widgets fall")


def test_post_id_independent_of_position() -> None:
    assert post_id("Another piece for the Planet.", "Title") == post_id(
        "Another  piece for the Planet.", "title"
    )


def test_fingerprint_near_duplicates() -> None:
    a = " ".join(f"word{i}" for i in range(200))
    b = a.replace("word50", "wordX")
    assert hamming(fingerprint(a), fingerprint(b)) < hamming(
        fingerprint(a), fingerprint("something else entirely here")
    )


def test_fingerprint_values_are_stable() -> None:
    """The warehouse matches near-duplicates across loads by these values: a faster fingerprint
    must give the very same ones (these are the values of the first, pure-Python implementation)."""
    texts = {
        "": "e4a6a0577479b2b4",
        "Another piece": "cade7205d98ba69b",
        "The quick brown fox jumps over the lazy dog. " * 3: "53b17fa87c6062e4",
        " ".join(f"word{i}" for i in range(300)): "618eec02d1c3db21",
        "Caf\u00e9 \u201cquotes\u201d \u2013 dashes and the same words the same words the same words": (
            "384d44be1e8e0d2b"
        ),
    }
    for text, value in texts.items():
        assert fingerprint.__wrapped__(text) == value, text


def test_shingle_hashes_are_python_tuple_hashes() -> None:
    """The vectorised shingle hash is CPython's own ``hash`` of the tuple of word hashes: the
    bottom-k sample (and so every stored fingerprint) rests on it. Word hashes are crc32 values,
    and the extremes of that range are included."""
    import random

    import numpy as np

    from transforms.identity import shingle_hashes

    rng = random.Random(13)
    words = [0, 1, 2**32 - 1, *(rng.getrandbits(32) for _ in range(5000))]
    got = shingle_hashes(np.array(words, dtype=np.uint64), 3).tolist()
    assert got == [hash(t) for t in zip(words, words[1:], words[2:], strict=False)]


def test_bottom_k_is_numpy_unique() -> None:
    """The fingerprint's sample: the first offsets of the smallest distinct values, as np.unique gives."""
    import numpy as np

    from transforms.identity import bottom_k

    rng = np.random.default_rng(13)
    for n in (1, 2, 5, 63, 64, 65, 200, 1000):
        for spread in (3, 50, 2**62):  # many repeats, some, hardly any
            hashes = rng.integers(-spread, spread, size=n)
            for k in (1, 64):
                assert bottom_k(hashes, k) == np.unique(hashes, return_index=True)[1][:k].tolist()
