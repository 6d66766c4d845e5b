"""Topic names from archive labels and tag lines, normalised so one topic has one name."""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_COVID = re.compile(r"covid[- ]?19", re.I)


def normalise_topic(label: str) -> str:
    """'covid-19' -> 'COVID-19', 'PRESS' stays, ' china ' -> 'China'; whitespace collapsed."""
    text = _SPACES.sub(" ", label).strip(" \u2018\u2019'\"")
    if not text:
        return text
    if _COVID.fullmatch(text):
        return "COVID-19"
    if text.islower():
        return text[:1].upper() + text[1:]
    return text


def topics_for(archive_label: str | None, tags: list[str]) -> list[str]:
    out: list[str] = []
    for t in ([archive_label] if archive_label else []) + tags:
        n = normalise_topic(t)
        if n and n.casefold() not in {o.casefold() for o in out}:
            out.append(n)
    return out
