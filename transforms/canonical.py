"""One name per outlet: the words a page uses for it, made canonical.

In order: the display form of the words (no leading "The", no possessive, quotes and spaces
unified, a handle's words split: "@TelegraphBlogs" -> "Telegraph Blogs"); an alias the training
gold taught (surface -> canonical, learned in each fold from its training pages only: see
transforms/fields.py); the broad list (transforms/gazetteer.py), also for a listed name followed
only by words for a platform or station ("BBC Radio Leeds" -> BBC, "CNN International
Edition" -> CNN); else the display form itself, flagged as not in the list.
"""

from __future__ import annotations

import re
from functools import lru_cache

from transforms.gazetteer import Outlet, load_gazetteer, norm_key
from transforms.models import OutletRef

PLATFORM_WORDS = frozenset(
    "radio tv television news online blog blogs website site magazine newspaper opinion commentary podcast "
    "channel world one two three four local live breakfast service international edition digital comment "
    "programme program show daily weekend".split()
)
SECTION_WORDS = frozenset(
    "page pages forum section website site blog blogs column columns supplement magazine edition desk "
    "programme program show podcast channel service".split()
)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_POSSESSIVE = re.compile(r"['\u2019]s\s+")
_SPACES = re.compile(r"\s+")
_LEADING_THE = re.compile(r"^(?:the|The|THE)\s+")
_END_POSSESSIVE = re.compile(r"['\u2019]s$")


@lru_cache(maxsize=1 << 14)  # the same few names recur post after post
def display_name(surface: str) -> str:
    """The words as a name: trimmed, no leading 'The', no possessive, a handle's words split.

    A possessive inside a name joins owner and publication ("CTC's Sentinel" -> "CTC Sentinel");
    one before a section's name stays, for the owner to be found ("ST's Forum page").
    """
    text = surface.replace("\u00a0", " ").strip()
    if text.startswith("@"):
        text = _CAMEL.sub(" ", text[1:])
    text = _SPACES.sub(" ", text).strip(" .,:;\"'()[]|\u201c\u201d\u2018\u2019")
    text = _LEADING_THE.sub("", text)
    text = _END_POSSESSIVE.sub("", text)
    parts = _POSSESSIVE.split(text, maxsplit=1)
    if len(parts) == 2 and not any(w.lower() in SECTION_WORDS for w in parts[1].split()[-1:]):
        text = f"{parts[0]} {parts[1]}"
    return text.strip()


def _listed(name: str) -> Outlet | None:
    gaz = load_gazetteer()
    found = gaz.lookup(name)
    if found is not None:
        return found
    owner = _POSSESSIVE.split(name, maxsplit=1)
    if len(owner) == 2 and all(w.lower() in SECTION_WORDS for w in owner[1].split()[-1:]):
        # "ST's Forum page", "the Guardian's technology pages": a section of the owner's outlet
        found = gaz.lookup(owner[0])
        if found is not None:
            return found
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        rest = words[k:]
        # a listed name followed by a word for a station or platform ("BBC Radio Leeds"), or a
        # listed name of two words or more followed by a section's name ("Financial Times BeyondBRICS")
        found = gaz.lookup(" ".join(words[:k]))
        if found is None:
            continue
        # ... or a broadcaster's name followed by its region's ("BBC Sheffield")
        if rest[0].lower() in PLATFORM_WORDS or (len(rest) <= 2 and (k >= 2 or found.kind == "broadcaster")):
            return found
    return None


def canonical_outlet(surface: str, aliases: dict[str, str]) -> tuple[str, Outlet | None] | None:
    """The canonical name a surface names and its listed outlet (None: not listed); None for an
    empty name. ``canonical_ref`` without the model: for asking which outlet a name is before
    deciding to keep it (most of a post's candidates are not kept as mentions)."""
    name = display_name(surface)
    if not name:
        return None
    learned = aliases.get(norm_key(name))
    listed = _listed(learned or name)
    if listed is not None and (learned is None or norm_key(listed.name) == norm_key(learned)):
        return listed.name, listed
    return learned or name, None


def outlet_ref(surface: str, outlet: tuple[str, Outlet | None], line: int | None = None) -> OutletRef:
    """The reference to the outlet ``canonical_outlet`` found for ``surface``."""
    name, listed = outlet
    if listed is not None:
        return OutletRef(
            name=name,
            matched_text=surface.strip(),
            line=line,
            in_gazetteer=True,
            outlet_kind=listed.kind,
            country=listed.country,
            domain=listed.domain,
        )
    return OutletRef(name=name, matched_text=surface.strip(), line=line, in_gazetteer=False)


def canonical_ref(surface: str, aliases: dict[str, str], line: int | None = None) -> OutletRef | None:
    """The outlet a surface names, canonical; None for an empty name."""
    outlet = canonical_outlet(surface, aliases)
    return None if outlet is None else outlet_ref(surface, outlet, line)


def label_outlet(label: str | None) -> OutletRef | None:
    """The outlet a category archive is named after ("Archive for the 'CNN' Category"), if it is one.

    Writers who file their pieces by outlet name the category exactly as the outlet is listed:
    the label must be one of the broad list's names or aliases as written (case and all), so that
    a section word ("PRESS", "Media", "News") or a topic is not taken for a paper of that name.
    """
    name = display_name(label or "")
    listed = load_gazetteer().lookup(name) if name else None
    if listed is None:
        return None
    surfaces = {display_name(s) for s in (listed.name, *listed.aliases)}
    if name not in surfaces or (" " not in name and name.lower() in SECTION_WORDS | PLATFORM_WORDS):
        return None
    return canonical_ref(name, {})


def site_ref(site: str) -> OutletRef:
    """The writer's own site as the outlet of a post published on the blog itself."""
    return OutletRef(
        name=site, matched_text=site, line=None, in_gazetteer=False, outlet_kind="blog", domain=site
    )
