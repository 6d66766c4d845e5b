"""One colour per outlet on every chart, whatever subset a filter leaves (reads the Vega-Lite specs)."""

from __future__ import annotations

import pandas as pd

from dashboard.charts import (
    GREY,
    OTHER,
    PALETTE,
    UNKNOWN,
    OutletColours,
    outlet_bars,
    stacked_by,
    stacked_years,
)

RANKED = [f"Outlet {i}" for i in range(len(PALETTE) + 5)]


def _colour_of(chart_dict: dict) -> dict[str, str]:
    scale = chart_dict["encoding"]["color"]["scale"]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_palette_is_distinct_and_never_the_other_grey() -> None:
    assert len(set(PALETTE)) == len(PALETTE)
    assert GREY not in PALETTE


def test_an_outlet_keeps_its_colour_across_charts_and_filters() -> None:
    colours = OutletColours(RANKED)
    everything = pd.DataFrame({"year": [2020] * 6, "outlet": RANKED[:6], "pieces": [6, 5, 4, 3, 2, 1]})
    filtered = everything[everything["outlet"].isin(["Outlet 4", "Outlet 1"])]
    full = _colour_of(stacked_years(everything, colours).to_dict())
    narrow = _colour_of(stacked_years(filtered, colours).to_dict())
    bars = _colour_of(outlet_bars(filtered, colours).to_dict())
    for outlet in ("Outlet 1", "Outlet 4"):
        assert full[outlet] == narrow[outlet] == bars[outlet] == colours.colour[outlet]
    assert narrow["Outlet 4"] == PALETTE[4]  # fixed by the warehouse-wide rank, not by the subset


def test_the_long_tail_and_unknown_outlets_are_grey() -> None:
    colours = OutletColours(RANKED)
    tail = RANKED[len(PALETTE)]
    frame = pd.DataFrame({"year": [2021, 2021, 2021], "outlet": [RANKED[0], tail, None], "pieces": [3, 2, 1]})
    mapping = _colour_of(stacked_years(frame, colours).to_dict())
    assert mapping == {RANKED[0]: PALETTE[0], OTHER: GREY, UNKNOWN: GREY}


def test_media_keep_their_colour_when_some_are_filtered_out() -> None:
    media = ["online", "podcast", "radio", "tv"]
    some = pd.DataFrame({"year": [2020, 2020], "medium": ["radio", "tv"], "mentions": [2, 3]})
    spec = stacked_by(some, "year", "medium", "mentions", domain=media).to_dict()
    assert spec["encoding"]["color"]["scale"]["domain"] == media
