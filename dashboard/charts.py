"""Altair chart builders with one colour per outlet on every page.

Why a ranking-based palette: hashing names onto 20 colours makes neighbours collide; ranking
outlets by total output (a fixed order for a given warehouse) gives the biggest outlets
distinct colours everywhere and folds the long tail into one grey "Other outlets".
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import pandas as pd

OTHER = "Other outlets"
UNKNOWN = "(unknown outlet)"
# Tableau 10 without its grey (grey is "Other outlets"), then darker hues far from those.
PALETTE: tuple[str, ...] = (
    "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#eeca3b", "#b279a2", "#ff9da6",
    "#9d755d", "#253494", "#006d2c", "#7a0177", "#00838f", "#b8860b", "#c51b7d", "#808000",
    "#37474f",
)  # fmt: skip
GREY = "#c7c7c7"
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)  # counts: no 2.5 pieces on the axis


class OutletColours:
    """Outlet -> colour, fixed by the warehouse-wide ranking of outlets."""

    def __init__(self, ranked_outlets: Sequence[str]) -> None:
        named = [o for o in ranked_outlets if o and o != UNKNOWN]
        self.colour: dict[str, str] = dict(zip(named, PALETTE, strict=False))

    def label(self, outlet: str | None) -> str:
        """The legend label: the outlet itself when it has a colour, else the grey bucket."""
        if outlet is None or pd.isna(outlet) or outlet == UNKNOWN:  # pandas 3: NaN for a missing name
            return UNKNOWN
        return str(outlet) if outlet in self.colour else OTHER

    def relabel(self, frame: pd.DataFrame, column: str = "outlet") -> pd.DataFrame:
        out = frame.copy()
        out[column] = [self.label(v) for v in out[column]]
        return out

    def scale(self, present: Sequence[str]) -> alt.Scale:
        """A colour scale whose domain is only the labels present, in ranking order."""
        order = [o for o in self.colour if o in set(present)]
        tail = [x for x in (OTHER, UNKNOWN) if x in set(present)]
        domain = order + tail
        return alt.Scale(domain=domain, range=[self.colour.get(x, GREY) for x in domain])


def stacked_years(frame: pd.DataFrame, colours: OutletColours, value: str = "pieces") -> alt.Chart:
    """Output by year, stacked by outlet."""
    data = colours.relabel(frame).groupby(["year", "outlet"], as_index=False)[value].sum()
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("year:O", title="Year"),
            y=alt.Y(f"{value}:Q", title=value.capitalize(), axis=COUNT_AXIS),
            color=alt.Color("outlet:N", scale=colours.scale(list(data["outlet"])), title="Outlet"),
            tooltip=["year:O", "outlet:N", f"{value}:Q"],
        )
    )


def outlet_bars(frame: pd.DataFrame, colours: OutletColours, value: str = "pieces") -> alt.Chart:
    """Horizontal bars per outlet, biggest first."""
    data = frame.copy()
    data["colour_key"] = [colours.label(v) for v in data["outlet"]]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(f"{value}:Q", title=value.capitalize(), axis=COUNT_AXIS),
            y=alt.Y("outlet:N", sort="-x", title=None),
            color=alt.Color("colour_key:N", scale=colours.scale(list(data["colour_key"])), legend=None),
            tooltip=["outlet:N", f"{value}:Q"],
        )
    )


def heatmap(frame: pd.DataFrame, row: str, column: str, value: str) -> alt.Chart:
    """A count heat map, e.g. topic x year."""
    return (
        alt.Chart(frame)
        .mark_rect()
        .encode(
            x=alt.X(f"{column}:O", title=column.capitalize()),
            y=alt.Y(f"{row}:N", title=None),
            color=alt.Color(f"{value}:Q", scale=alt.Scale(scheme="blues"), title=value.capitalize()),
            tooltip=[f"{row}:N", f"{column}:O", f"{value}:Q"],
        )
    )


def stacked_by(
    frame: pd.DataFrame, x: str, colour: str, value: str, domain: Sequence[str] | None = None
) -> alt.Chart:
    """A stacked bar for a non-outlet category (e.g. mentions by year and medium).

    Pass every category as ``domain`` (e.g. all media) so a category keeps its colour when a
    filter leaves some out, and on every page that draws it.
    """
    scale = alt.Scale(domain=list(domain), scheme="tableau10") if domain else alt.Scale(scheme="tableau10")
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:O", title=x.capitalize()),
            y=alt.Y(f"{value}:Q", title=value.capitalize(), axis=COUNT_AXIS),
            color=alt.Color(f"{colour}:N", scale=scale, title=colour.capitalize()),
            tooltip=[f"{x}:O", f"{colour}:N", f"{value}:Q"],
        )
    )


def side_by_side(
    frame: pd.DataFrame, category: str, group: str, value: str, horizontal: bool = False
) -> alt.Chart:
    """One bar per ``group`` side by side within each ``category`` (e.g. pieces per year, a bar per
    writer); ``horizontal`` for long category names (outlets), biggest total first."""
    place = alt.X(f"{value}:Q", title=value.capitalize(), axis=COUNT_AXIS)
    if horizontal:
        axes = {"y": alt.Y(f"{category}:N", sort="-x", title=None), "yOffset": f"{group}:N", "x": place}
    else:
        axes = {"x": alt.X(f"{category}:O", title=category.capitalize()), "xOffset": f"{group}:N"}
        axes["y"] = alt.Y(f"{value}:Q", title=value.capitalize(), axis=COUNT_AXIS)
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            **axes,
            color=alt.Color(f"{group}:N", scale=alt.Scale(scheme="tableau10"), title=group.capitalize()),
            tooltip=[f"{category}:N", f"{group}:N", f"{value}:Q"],
        )
    )
