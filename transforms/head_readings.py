"""Post-head layouts read deterministically after the line-role model, as the date headers are.

Each is a shape of a post's *head* (the lines above and just under its title) that any blog's
template may repeat post after post, and that 81 annotated pages show too rarely for the model
to learn; ``transforms/line_roles.read_page`` applies them, with its own readings, in order:

- a **repeated head** (``repeated_heads``): a post whose title is followed by its date line
  ("Title / by X / Monday, 14 June 2010") shows the same head again below its body: the
  second head is the next post's;
- a **date line no post holds** (``dates_outside_posts``): it heads the headline under it, or
  dates the title-first post whose headline is above it;
- a **list's heading** (``list_headings``): a short heading over a list's entries is the page's;
- a **head without a body** (``bodiless_heads``): a date or category header and a title, only
  short lines, then a run the model opened as a title-less round-up ("3 Feb2019 / Title /
  Posted in Columns / Today in The Herald / text ..."): the run is that post's body;
- **date-headed posts** (``date_headed_posts``): once the page shows a date header over a
  headline read as a post's head, every such pair on it is one;
- a **list of appearances headed by the outlet's name** (``outlet_headings``): one round-up per
  entry;
- a **title-less post's heading** (``untitled_heading``): the headline a post the model read as
  a round-up opens with (or has under its date header), with prose under it. Not applied by
  ``read_page``: whether it titles a piece is for ``transforms/posts.py`` to say, once the field
  model has read the post's names.

Labels are those of ``transforms.labels.LINE_LABELS``; positions index the page's non-empty lines.
The hand-set constants are ``HEAD_REACH`` and ``OUTLET_HEAD_WORDS`` (listed in the README).
"""

from __future__ import annotations

from transforms.labels import HEADER_MAX_CHARS, START_LABELS
from transforms.line_features import date_header, no_title, text_features

HEAD_REACH = 3
"""A post's date line at most this many lines under its title is its head's (hand-set)."""


def _shape(text: str) -> tuple[str, ...]:
    return text_features(text)[1]


def _prose(text: str) -> bool:
    """Longer than a header (``HEADER_MAX_CHARS``) and written in sentences."""
    if len(text) <= HEADER_MAX_CHARS:
        return False
    shape = _shape(text)
    return (
        "sentences" in shape
        or "plain" in shape
        or text.rstrip("\"'\u201d\u2019)").endswith((".", "!", "?", "\u2026"))
    )


def repeated_heads(labels: list[str], texts: list[str]) -> None:
    """A post's title-and-date head repeating below its body opens the next post.

    In a post whose title has its date line within ``HEAD_REACH`` lines, a later date line after
    prose, right under a headline (or under a byline under one), is a new post's head: the
    headline is its title, and a prose line just above the headline its intro (else the
    headline opens the post). The model, which reads such a page as one long post with two date
    lines, meets the layout too rarely to learn it.
    """
    title: int | None = None
    dated = body = False
    for i, lab in enumerate(labels):
        if lab in START_LABELS or lab in ("O", "T"):
            title = i if lab in ("T", "ST") else None
            dated = body = False
            continue
        if title is None:
            continue
        if lab in ("B", "Bt") and _prose(texts[i]):
            body = True
        if lab not in ("D", "Dt"):
            continue
        if not body:
            dated = dated or i - title <= HEAD_REACH
            continue
        if not dated:
            continue
        head = i - 2 if i >= 2 and "byline" in _shape(texts[i - 1]) else i - 1
        if head <= title + 1 or labels[head] not in ("B", "Bt") or "headline" not in _shape(texts[head]):
            continue
        intro = head - 1
        if labels[intro] in ("B", "Bt") and _prose(texts[intro]):
            labels[intro], labels[head] = "SI", "T"
        else:
            labels[head] = "ST"
        title, body = head, False


def bodiless_heads(labels: list[str], texts: list[str]) -> None:
    """A post head with no body, then a title-less run the model opened: the run is its body.

    The head is a short, non-prose first line (a date, a category) and a title under it; only
    short lines follow the title (a "Posted in ..." line, lines left outside every post) up to a
    line the model read as opening a title-less round-up ("SR"). Everything from there to the
    next post start is the head's post: a template that puts its category and its outlet line
    ("Today in The Herald") between the title and the text. A date header right above a
    title inside the run opens the next post, as ``line_roles._date_headers`` reads it; a
    headline-shaped title inside the run leaves the page as the model read it.
    """
    n = len(labels)
    for s in range(n - 1):
        if labels[s] not in ("SI", "SH") or _prose(texts[s]):
            continue
        t = next((j for j in (s + 1, s + 2) if j < n and labels[j] == "T"), None)
        if t is None or any(labels[j] != "I" for j in range(s + 1, t)):
            continue
        k = t + 1
        while k < n and labels[k] in ("B", "D", "E", "O") and not _prose(texts[k]):
            k += 1
        if k >= n or labels[k] != "SR":
            continue
        end, header = k + 1, None
        while end < n and labels[end] not in START_LABELS and labels[end] != "O":
            if labels[end] == "T":
                if date_header(texts[end - 1]):
                    header = end - 1
                    break
                if "headline" in _shape(texts[end]):
                    end = -1
                    break
            end += 1
        if end < 0:
            continue
        for j in range(t + 1, header if header is not None else end):
            labels[j] = "B"
        if header is not None:
            labels[header] = "SH"


OUTLET_HEAD_WORDS = 6
"""A heading of at most this many words that names an outlet names only the outlet (hand-set)."""


def _names_outlet(text: str) -> bool:
    """A short heading that is an outlet's name ("Toronto Star", "BBC Radio Leeds", "Capital FM")."""
    if len(text.split()) > OUTLET_HEAD_WORDS:
        return False
    shape = _shape(text)
    return "headline" in shape and ("gaz" in shape or "c:outlet_nouns" in shape)


def outlet_headings(labels: list[str], texts: list[str]) -> None:
    """A list of appearances headed by the outlet's name: one round-up per entry.

    "BBC Radio Leeds / 12 April 2022 / I spoke to ... about ...", entry after entry (two or
    more on the page): a heading that is only an outlet's name is not a piece's title, so each
    entry is a round-up ("SR") with its date line ("D") and its paragraph ("I"). The model, which
    meets such a list once in its training pages, reads the names as titles or furniture.
    """
    n = len(labels)
    heads = [
        k
        for k in range(n - 2)
        if date_header(texts[k + 1])
        and no_title(texts[k + 1])
        and _prose(texts[k + 2])
        and _names_outlet(texts[k])
    ]
    if len(heads) < 2:
        return
    for j, k in enumerate(heads):
        stop = heads[j + 1] if j + 1 < len(heads) else n
        labels[k], labels[k + 1] = "SR", "D"
        for m in range(k + 2, stop):
            if labels[m] == "O" or (m > k + 2 and labels[m] in START_LABELS):
                break
            labels[m] = "I"


def untitled_heading(texts: list[str], members: list[int]) -> int | None:
    """The heading a title-less post's lines open with: a headline first, or right under a first
    line that is a date header, with prose right under it ("Wednesday, 3 May 2017 / My latest
    column / I have a piece in today's paper ..."; "A made-up title / The text begins ...").

    The layout of a piece's post (a header and a title, or a title-first post) and of a round-up
    under a heading of its own alike: ``transforms/posts.py`` asks what the lines report.
    """
    if len(members) < 2:
        return None
    at = 1 if date_header(texts[members[0]]) and no_title(texts[members[0]]) else 0
    if at + 1 >= len(members):
        return None
    head, under = texts[members[at]], texts[members[at + 1]]
    shape = _shape(head)
    if "headline" not in shape or "byline" in shape or "footer" in shape or "widget" in shape:
        return None
    if no_title(head) or not _prose(under):
        return None
    return members[at]


def date_headed_posts(labels: list[str], texts: list[str]) -> None:
    """A page whose posts open with a date header over their title: every such pair opens a post.

    Where the page's template heads each post with a date line (or a short line whose date comes
    early, "Written on: 3. 5. 2021 in the category: ...") right above a headline, and the model
    (or ``line_roles._date_headers``) read at least one such pair as a header and a title, every
    other pair on the page is a post's header and title too, and the lines between are bodies:
    the model, unsure of a layout it meets rarely, reads the same pair differently down the page.
    Two pairs at least; lines outside every post stay so. The pairs must be the page's template:
    at least as many as the posts the model opened otherwise. On a page of intro-first posts a few
    posts that carry a date over their title are those posts' heads, not the page's layout (a long
    archive page of 500 posts had three, and this reading merged the 90 posts between them).
    """
    n = len(labels)
    heads = [
        i
        for i in range(n - 1)
        if labels[i] != "O"
        and labels[i + 1] != "O"
        and not _prose(texts[i])
        and _date_over_headline(texts, i)
    ]
    if len(heads) < 2 or not any(labels[i] == "SH" and labels[i + 1] == "T" for i in heads):
        return
    paired = {m for i in heads for m in (i, i + 1)}
    if sum(1 for m, lab in enumerate(labels) if lab in START_LABELS and m not in paired) > len(heads):
        return
    for j, i in enumerate(heads):
        stop = heads[j + 1] if j + 1 < len(heads) else n
        labels[i], labels[i + 1] = "SH", "T"
        for m in range(i + 2, stop):
            if labels[m] == "O" or (j + 1 == len(heads) and m > i + 2 and labels[m] in START_LABELS):
                break
            if labels[m] in START_LABELS or labels[m] in ("I", "T"):
                labels[m] = "B"


def _date_over_headline(texts: list[str], i: int) -> bool:
    return "headline" in _shape(texts[i + 1]) and not no_title(texts[i + 1]) and date_header(texts[i])


def dates_outside_posts(labels: list[str], texts: list[str]) -> None:
    """A date line the model put inside a post that nothing opened: its head opens one.

    The model read the line as a post's date ("D") but the line above it as page furniture, so no
    post holds it. When a headline follows the date, the date heads the post and the headline is
    its title ("Monday, May 15, 2006 / Appearing on the radio"); else a headline right above the
    date is the title of a title-first post ("OPED: Why ...? / Published in X / Oct 2017").
    """
    for i in range(1, len(labels) - 1):
        if labels[i] not in ("D", "Dt") or labels[i - 1] != "O":
            continue
        below, above = _shape(texts[i + 1]), _shape(texts[i - 1])
        if labels[i + 1] != "O" and "headline" in below and not no_title(texts[i + 1]):
            labels[i], labels[i + 1] = "SH", "T"
        elif "headline" in above and not no_title(texts[i - 1]):
            labels[i - 1] = "ST"
            title_first_tail(labels, i)


def list_headings(labels: list[str], texts: list[str]) -> None:
    """A short heading the model read as a round-up or an entry, right above a list's entries,
    heads the list ("Media brief" over "Title, Outlet, May 23, 2019" entries).

    The heading is the page's, outside every post, so that each entry opens a post of its own
    (``line_roles.segments``); a numbered or dated line is an entry itself and stays one.
    """
    for i in range(len(labels) - 1):
        if labels[i] not in ("SR", "N") or labels[i + 1] != "N" or len(texts[i]) > HEADER_MAX_CHARS:
            continue
        if not (_prose(texts[i]) or texts[i][0].isdigit() or "hasdate" in _shape(texts[i])):
            labels[i] = "O"


def end_label(above: str) -> str:
    """The label of a post's closing line (a "Read More", a comment count), from the label of the
    post's line above it: "Et" in a post that opened with its title ("ST", and its "...t" lines),
    else "E"."""
    return "Et" if above.endswith("t") or above == "ST" else "E"


def title_first_tail(labels: list[str], start: int) -> None:
    """The date, body and end lines from ``start`` on belong to a post that opened with its title
    ("Dt", "Bt", "Et": the chain's labels for a title-first post)."""
    for m in range(start, len(labels)):
        if labels[m] not in ("B", "D", "E"):
            break
        labels[m] += "t"
