from datetime import date

import pytest

from transforms.dates import stated_date, year_mentions


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published: 9:30am, 2 Feb, 2019", date(2019, 2, 2)),
        ("Commentary, 14 March 2018", date(2018, 3, 14)),
        ("Commentary5 June 2021", date(2021, 6, 5)),
        ("12 December 2017 |\u00a04:10 PM", date(2017, 12, 12)),
        ("August 9, 2016", date(2016, 8, 9)),
        ("by\u00a0Jane Doe\u00a0/ March 3, 2015 /\u00a0Leave a comment", date(2015, 3, 3)),
        ("PUBLISHED | SEP 1, 2019, 6:00 AM SGT", date(2019, 9, 1)),
        ("Date: 10th March 2011 | Author: Jane Doe", date(2011, 3, 10)),
        ("Posted: June 3, 2008 in Articles", date(2008, 6, 3)),
    ],
)
def test_stated_formats(line: str, expected: date) -> None:
    got = stated_date(line)
    assert got is not None and got[0] == expected


@pytest.mark.parametrize(
    "line",
    [
        "Screen Shot 2019-05-02 at 10.11.12",
        "A soldier walks past a market in a northern town on May 4, 2018, after heavy rain fell "
        "overnight across the region.",
        "Volume: 5 Issue: 33",
    ],
)
def test_not_a_date_line(line: str) -> None:
    assert stated_date(line) is None


def test_year_mentions_skip_horizons() -> None:
    assert year_mentions("In Nov. 2015 they met; the plan runs until 2030; by 2040 too") == [2015]
