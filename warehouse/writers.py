"""Writers: whose dumps these are. The registry (``writers.yaml``), and the rules that follow a writer.

Why a writer dimension: one warehouse can follow many blogs (a newsroom, a research group, a think
tank's fellows). Every dump belongs to one writer, and through it every sighting, post and article.
A writer is named where the dump is delivered, never guessed from the text:

- a file directly in the landing folder belongs to the **default writer** (``writer_id`` ``default``:
  a warehouse made before writers existed is that writer's, and a one-blog installation never needs
  to name it; ``$BYLINES_AUTHOR`` and ``$BYLINES_SITE``, else ``writers.yaml``'s ``default:`` entry,
  give its name and site);
- a file in ``<landing>/<folder>/`` belongs to the writer ``writers.yaml`` lists under that folder's
  slug (or whose display name or alias the folder name is); a folder it does not list makes a new
  writer whose display name is the folder name (``Jane Doe/`` -> ``jane-doe``, "Jane Doe"), unless
  the file says ``unlisted_folders: refuse``: then its files are quarantined with a reason;
- ``bylines ingest --writer "Display Name" files...`` names the writer of a backfill.

``writers.yaml`` lives beside the landing folder (``data/writers.yaml``; ``$BYLINES_WRITERS``
overrides), and its shape is :class:`WritersFile`::

    default:                      # optional: the writer of files directly in the landing folder
      name: Raffaello Pantucci
      site: raffaellopantucci.com
    writers:                      # landing sub-folder (a slug) -> writer
      jane-doe:
        name: Jane Doe
        site: janedoe.net         # the blog's own domain: the outlet of posts published on the blog
        aliases: [J. Doe]         # other spellings of the name in bylines
    unlisted_folders: writer      # or: refuse

What follows a writer (each rule in one place): the parser's settings of a dump
(:meth:`Writer.parse_settings`: the blog author is the writer, the blog's domain is the writer's
site), a piece's authors (:func:`authors_with_writer`), and ids that never join two writers'
pieces (:func:`scoped_id`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from transforms.models import ParseSettings

DEFAULT_WRITER_ID = "default"
DEFAULT_WRITER_NAME = "Default writer"  # the display name of an unnamed default writer
ENV_WRITERS = "BYLINES_WRITERS"
ENV_AUTHOR = "BYLINES_AUTHOR"
ENV_SITE = "BYLINES_SITE"
WRITERS_FILE_NAME = "writers.yaml"
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def writer_slug(text: str) -> str:
    """The writer id a display name or folder name gives: ASCII-folded, lower case, words joined by '-'
    (a name with no ASCII letter or digit, e.g. in another script, gets ``w-`` and a hash of it)."""
    from warehouse.identity import slug

    found = slug(text)
    if _SLUG.match(found):
        return found
    return "w-" + hashlib.sha1(" ".join(text.split()).casefold().encode()).hexdigest()[:10]


def site_domain(value: str) -> str:
    """A site as its host: ``https://www.Example.com/blog/`` -> ``example.com``."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value.strip(), flags=re.I).split("/")[0].split("?")[0]
    host = host.split("@")[-1].split(":")[0].strip(".").lower()
    host = host.removeprefix("www.")
    if not host or not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", host):
        raise ValueError(f"{value!r} is not a web site's domain (e.g. janedoe.net)")
    return host


class Writer(BaseModel):
    """One writer as a dump carries it: id, display name, site, aliases (the ``writers`` row)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    writer_id: str = Field(description="slug; 'default' for the default writer")
    name: str | None = Field(
        default=None, description="display name; None only for an unnamed default writer"
    )
    site: str | None = Field(default=None, description="the blog's own domain, e.g. janedoe.net")
    aliases: tuple[str, ...] = Field(default=(), description="other spellings of the name in bylines")

    @property
    def is_default(self) -> bool:
        return self.writer_id == DEFAULT_WRITER_ID

    @property
    def display_name(self) -> str:
        return self.name or DEFAULT_WRITER_NAME

    def parse_settings(self, base: ParseSettings) -> ParseSettings:
        """The parser's settings for this writer's dumps: the blog author is the writer, the outlet of
        blog-native posts the writer's site. What the writer leaves unnamed stays as ``base`` says; for
        the default writer ``base`` wins (its settings, ``$BYLINES_AUTHOR`` and ``$BYLINES_SITE`` or a
        run's config, were made for the files no writer names)."""
        mine = {"blog_author": self.name, "site": self.site}
        if self.is_default:
            mine = {k: v for k, v in mine.items() if getattr(base, k) is None}
        update = {k: v for k, v in mine.items() if v}
        return base.model_copy(update=update) if update else base


class WriterEntry(BaseModel):
    """One writer in ``writers.yaml``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="display name, as bylines write it")
    site: str | None = Field(default=None, description="the blog's domain (a URL is reduced to its host)")
    aliases: list[str] = Field(default_factory=list, description="other spellings of the name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("a writer's name cannot be blank")
        return value

    @field_validator("site")
    @classmethod
    def _site(cls, value: str | None) -> str | None:
        return site_domain(value) if value else None


class WritersFile(BaseModel):
    """The shape of ``writers.yaml`` (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    default: WriterEntry | None = Field(default=None, description="the writer of files directly in landing")
    writers: dict[str, WriterEntry] = Field(
        default_factory=dict, description="landing sub-folder slug -> writer"
    )
    unlisted_folders: Literal["writer", "refuse"] = Field(
        default="writer",
        description="a landing sub-folder not listed: a new writer named after it, or its files refused",
    )

    @field_validator("writers")
    @classmethod
    def _slugs(cls, value: dict[str, WriterEntry]) -> dict[str, WriterEntry]:
        seen: dict[str, str] = {}
        for key, entry in value.items():
            if not _SLUG.match(key) or key == DEFAULT_WRITER_ID:
                raise ValueError(
                    f"{key!r} is not a writer slug: lower-case letters, digits and '-' (e.g. jane-doe); "
                    f"'{DEFAULT_WRITER_ID}' is the writer of files directly in the landing folder "
                    "(use 'default:')"
                )
            for spelling in (entry.name, *entry.aliases):
                other = seen.setdefault(spelling.casefold(), key)
                if other != key:
                    raise ValueError(f"the name {spelling!r} is given to two writers: {other} and {key}")
        return value


class WritersFileError(ValueError):
    """The writers cannot be known (a malformed ``writers.yaml``, a bad ``--site`` or ``$BYLINES_SITE``):
    the run fails with this message (no dump is the culprit)."""


def default_writers_file(landing: Path) -> Path:
    """``$BYLINES_WRITERS``, else ``writers.yaml`` beside the landing folder (``data/writers.yaml``)."""
    env = os.environ.get(ENV_WRITERS)
    return Path(env) if env else Path(landing).parent / WRITERS_FILE_NAME


def _describe(error: ValidationError) -> str:
    parts = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        parts.append(f"{where}: {e['msg']}")
    return "; ".join(parts)


class WriterRegistry:
    """The writers one ingest knows: ``writers.yaml`` (or nothing), resolved by folder or by name."""

    def __init__(self, spec: WritersFile | None = None, path: Path | None = None) -> None:
        self.spec = spec or WritersFile()
        self.path = path
        self._listed = {
            key: Writer(writer_id=key, name=e.name, site=e.site, aliases=tuple(e.aliases))
            for key, e in self.spec.writers.items()
        }

    @classmethod
    def load(cls, path: Path | None) -> WriterRegistry:
        """The registry in ``path``; no file means no listed writer. Raises :class:`WritersFileError`."""
        if path is None or not Path(path).exists():
            return cls(path=path)
        import yaml

        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise WritersFileError(f"cannot read the writers file {path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise WritersFileError(f"the writers file {path} is not valid YAML: {exc}") from exc
        if data is None:
            return cls(path=path)
        if not isinstance(data, dict):
            raise WritersFileError(
                f"the writers file {path} must be a mapping with 'writers:' (slug -> name, site, aliases)"
            )
        try:
            return cls(WritersFile.model_validate(data), Path(path))
        except ValidationError as exc:
            raise WritersFileError(f"the writers file {path} is malformed: {_describe(exc)}") from exc

    def default(self) -> Writer:
        """The default writer: named by ``$BYLINES_AUTHOR`` (its site ``$BYLINES_SITE``), else by
        ``default:``, else unnamed (as the parse settings of its files are made: the environment first)."""
        entry = self.spec.default or WriterEntry(name=DEFAULT_WRITER_NAME)
        try:
            site = site_domain(os.environ[ENV_SITE]) if os.environ.get(ENV_SITE) else entry.site
        except ValueError as exc:
            raise WritersFileError(f"${ENV_SITE}: {exc}") from exc
        return Writer(
            writer_id=DEFAULT_WRITER_ID,
            name=os.environ.get(ENV_AUTHOR) or (entry.name if self.spec.default else None),
            site=site,
            aliases=tuple(entry.aliases),
        )

    def listed(self) -> list[Writer]:
        return list(self._listed.values())

    def _find(self, text: str) -> Writer | None:
        """A listed writer (or the default) by slug, display name or alias."""
        key = writer_slug(text)
        if key == DEFAULT_WRITER_ID:
            return self.default()
        if key in self._listed:
            return self._listed[key]
        wanted = " ".join(text.split()).casefold()
        for w in (*self._listed.values(), self.default()):
            if any(s.casefold() == wanted for s in (w.name or "", *w.aliases)):
                return w
        return None

    def for_folder(self, folder: str) -> Writer | None:
        """The writer of a landing sub-folder; None when the file says unlisted folders are refused."""
        found = self._find(folder)
        if found is not None:
            return found
        if self.spec.unlisted_folders == "refuse":
            return None
        return Writer(writer_id=writer_slug(folder), name=" ".join(folder.split()))

    def for_name(self, name: str, site: str | None = None) -> Writer:
        """The writer ``--writer NAME`` means: a listed one (slug, name or alias), else a new one."""
        found = self._find(name)
        writer = found or Writer(writer_id=writer_slug(name), name=" ".join(name.split()))
        if not site:
            return writer
        try:
            return writer.model_copy(update={"site": site_domain(site)})
        except ValueError as exc:
            raise WritersFileError(f"--site: {exc}") from exc

    def batch_writers(self, delivered: list[Writer | None]) -> tuple[list[Writer], list[str]]:
        """The ``writers`` rows an ingest keeps current (the default writer, the listed ones, those its
        dumps were delivered for) and a note for each delivered writer the registry does not list.

        The registry wins where it says something (a renamed writer is renamed); a delivery fills in
        only what it leaves out (``--site`` for a writer listed without one)."""
        rows = {w.writer_id: w for w in (self.default(), *self.listed())}
        notes: list[str] = []
        for w in dict.fromkeys(w for w in delivered if w is not None):
            known = rows.get(w.writer_id)
            if known is None:
                where = self.path or WRITERS_FILE_NAME
                notes.append(
                    f"writer {w.display_name!r} ({w.writer_id}) is named by its landing folder or --writer, "
                    f"not listed in {where}: list it there to give its site and aliases"
                )
                rows[w.writer_id] = w
            elif known.site is None and w.site is not None:
                rows[w.writer_id] = known.model_copy(update={"site": w.site})
        return list(rows.values()), notes

    def refusal(self, folder: str) -> str:
        """Why a file in an unlisted sub-folder is refused, and what to do."""
        where = self.path or WRITERS_FILE_NAME
        return (
            f"is in the landing sub-folder {folder}/, which {where} does not list as a writer (it "
            f"says unlisted_folders: refuse): add '{writer_slug(folder)}:' with the writer's name under "
            "'writers:' there, or move the file into a listed writer's folder"
        )


def scoped_id(identifier: str, writer_id: str) -> str:
    """A post or article id made unique to its writer: two writers' pieces never share an id.

    The default writer keeps the parser's ids unchanged (a warehouse from before writers keeps
    its ids); another writer's id is a hash of the writer and the parser's id, with the same prefix.
    """
    if writer_id == DEFAULT_WRITER_ID:
        return identifier
    prefix, _, _rest = identifier.partition("_")
    digest = hashlib.sha1(f"{writer_id}\x00{identifier}".encode()).hexdigest()[:16]
    return f"{prefix}_{digest}" if _rest else digest


def authors_with_writer(authors: list[str], writer: Writer | None, detected: str | None) -> list[str]:
    """A piece's authors with its writer: the writer is the first author unless the text names others.

    - no author found -> ``[writer]``;
    - the blog author the parser detected (when it is not the writer) stands for the writer, as do
      the writer's aliases: replaced by the writer's display name, in place (co-authors stay).
    The default writer is the blog author its dumps were parsed with (``detected``: the run's setting
    or what the parser found), else its name; unnamed, it changes nothing.
    """
    if writer is None:
        return list(authors)
    me = (detected or writer.name) if writer.is_default else writer.name
    if not me:
        return list(authors)
    if not authors:
        return [me]
    own = {a.casefold() for a in writer.aliases}
    if detected and detected != me:
        own.add(detected.casefold())
    out: list[str] = []
    for name in authors:
        name = me if name.casefold() in own else name
        if name not in out:
            out.append(name)
    return out


def record_writers(con: Any, writers: list[Writer]) -> None:
    """Keep the rows of ``writers`` current (inserted, or renamed as configured), in one statement."""
    if not writers:
        return
    con.execute(
        "INSERT OR REPLACE INTO writers (writer_id, display_name, site, aliases)"
        " SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[]), unnest(?::VARCHAR[][])",
        [
            [w.writer_id for w in writers],
            [w.display_name for w in writers],
            [w.site for w in writers],
            [list(w.aliases) for w in writers],
        ],
    )
