from datetime import date

from transforms.chronology import infer_years
from transforms.dating import text_clues
from transforms.models import DateEstimate


def test_undated_post_bounded_by_neighbours() -> None:
    stated = DateEstimate(published_date=date(2020, 5, 1), year=2020, basis="stated")
    older = DateEstimate(published_date=date(2019, 3, 1), year=2019, basis="stated")
    out = infer_years([[("a", stated), ("b", DateEstimate()), ("c", older)]])
    assert out["b"].year == 2020 and out["b"].basis == "inferred"
    assert out["b"].date_min == date(2019, 3, 1) and out["b"].date_max == date(2020, 5, 1)


def test_across_dumps() -> None:
    d1 = DateEstimate(published_date=date(2018, 1, 1), year=2018, basis="stated")
    out = infer_years([[("x", DateEstimate()), ("y", d1)], [("z", DateEstimate())]])
    assert out["x"].year == 2018 and out["z"].year is None


def test_a_late_december_caption_dates_the_piece_in_the_next_year() -> None:
    """A piece follows the photo it shows by days; page order keeps the text's choice."""
    late = text_clues(["A piece on the talks."], ["The leaders meet on Dec. 30, 2019."], [], "")
    assert late.year == 2020 and late.basis == "text" and late.date_min == date(2019, 12, 30)
    assert infer_years([[("p", late)]])["p"].year == 2020
    early = text_clues(["A piece on the talks."], ["The leaders meet on March 3, 2019."], [], "")
    assert early.year == 2019
