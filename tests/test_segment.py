from transforms.parse import parse_dump

WIDE = """Follow me on Twitter
@someone: great panel today with friends #widgets
Archive for June, 2008

A new article for the Widget Review, in which I look at the widget trade in the north. Had fun writing it.

The northern widget trade after the boom
Volume: 5 Issue: 33
Posted: June 12, 2008 in Articles
Age: 3 days

The widget trade in the north grew quickly through the last decade, helped by cheap credit and new roads.
Les exportations de widgets ont fortement augmenté, selon les responsables locaux.
Jane Doe is a senior fellow at the Institute of Widgets.
Rather late in posting a piece for the Morning Bugle, on widget taxes. I wrote it while travelling.
Widget taxes and their discontents
Date: 10th March 2008 | Author: Jane Doe
Taxes on widgets rarely raise as much as their designers hope, and this one is no exception.
Jane Doe is a senior fellow at the Institute of Widgets.
"""


def test_older_formats_furniture_and_month_archive() -> None:
    parsed = parse_dump(WIDE, "wide.txt")
    assert parsed.archive.kind == "month" and parsed.archive.header_line == 3
    assert [(p.start_line, p.end_line) for p in parsed.posts] == [(5, 14), (15, 19)]
    first, second = (p.piece for p in parsed.posts)
    assert first is not None and second is not None
    assert str(first.dating.published_date) == "2008-06-12"
    assert str(second.dating.published_date) == "2008-03-10"
    assert second.authors == ["Jane Doe"]


def test_single_post_page_without_header() -> None:
    text = "\n".join(WIDE.splitlines()[4:13])
    parsed = parse_dump(text, "single.txt")
    assert parsed.archive.kind == "single" and len(parsed.posts) == 1


ROUNDUP = """Posts Tagged \u2018Widgets\u2019

Round-up of some recent media appearances: spoke to the Daily Planet about widget prices.

Beyond this, was quoted in the Morning Bugle about widget taxes.

Another piece for the Daily Planet, this time on widget exports. I enjoyed this one.

Exports of widgets in a cold climate

By Jane Doe

Exports fell sharply last winter as ports froze and buyers looked elsewhere for supplies.

Jane Doe is a senior fellow at the Institute of Widgets.

And now for some links to recent panels I joined on the widget trade.

A new piece for the Morning Bugle on widget taxes, written in a hurry. I hope it reads well.

Widget taxes revisited

Taxes on widgets rarely raise as much as their designers hope, and this one is no exception.
"""


def test_roundup_post_and_trailing_links() -> None:
    parsed = parse_dump(ROUNDUP, "r.txt")
    spans = [(p.start_line, p.end_line, p.piece is not None) for p in parsed.posts]
    assert spans == [(3, 5, False), (7, 17, True), (19, 23, True)]
