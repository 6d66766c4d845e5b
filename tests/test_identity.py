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
