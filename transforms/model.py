"""The trained model: one small file holding the CRFs and what training learned besides weights.

``transforms/data/model.zip`` (shipped; rebuilt by ``bylines train``) is a zip of:

- ``lines.crfsuite``: the line-role CRF (transforms/line_roles.py);
- ``fields.crfsuite``: the outlet-candidate CRF (transforms/fields.py);
- ``titles.crfsuite``: the title-line segment CRF (transforms/title_split.py);
- ``meta.json``: outlet aliases learned from the training gold (surface -> canonical name), the
  two decision thresholds fitted on it (``start_threshold``, ``min_outlet_prob``), the training
  set's description and the feature version.

Which model a parse uses: ``ParseSettings.model_path``, else ``$BYLINES_MODEL``, else the
shipped file. Cross-validation points each fold's ingest at the model trained in that fold.
The zip is written with fixed timestamps and order, so the same training gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pycrfsuite

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_MODEL = DATA_DIR / "model.zip"
MODEL_ENV = "BYLINES_MODEL"
PARTS = ("lines", "fields", "titles")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# Both thresholds are fitted by training (transforms/training.py) and stored in meta.json. A model
# file without them (written before they were fitted) decides as its probabilities say: more
# likely than not.
UNFITTED_THRESHOLD = 0.5


class ModelMissing(RuntimeError):
    """No trained model where one was expected (run `bylines train`)."""


@dataclass
class Model:
    """Taggers of the three CRFs and the learned side tables."""

    lines: pycrfsuite.Tagger
    fields: pycrfsuite.Tagger
    titles: pycrfsuite.Tagger
    meta: dict
    # The taggers read their models from these bytes in place (crfsuite's in-memory open keeps a
    # pointer, not a copy): they must live as long as the taggers.
    data: dict[str, bytes]
    key: str = ""  # digest of the three CRFs: what results remembered across pages are keyed by

    @property
    def aliases(self) -> dict[str, str]:
        return self.meta.get("aliases", {})

    @property
    def start_threshold(self) -> float:
        """The least probability at which the line model's reading opens a post (line_roles.read_page)."""
        return self.meta.get("start_threshold", UNFITTED_THRESHOLD)

    @property
    def min_outlet_prob(self) -> float:
        """The least probability at which the field model's likeliest candidate, not labelled ``P``,
        is taken as the piece's outlet (posts.py)."""
        return self.meta.get("min_outlet_prob", UNFITTED_THRESHOLD)


def model_path(explicit: str | Path | None = None) -> Path:
    """The model a parse uses: the explicit path, else ``$BYLINES_MODEL``, else the shipped one."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else SHIPPED_MODEL


def write_bundle(path: Path, parts: dict[str, bytes], meta: dict) -> None:
    """Write the model file deterministically (fixed timestamps, fixed order), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for name in PARTS:
            info = zipfile.ZipInfo(f"{name}.crfsuite", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, parts[name])
        info = zipfile.ZipInfo("meta.json", date_time=_ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False))
    os.replace(tmp, path)


def open_tagger(data: bytes) -> pycrfsuite.Tagger:
    """A tagger reading a CRF from ``data`` in place: the caller keeps ``data`` alive as long."""
    tagger = pycrfsuite.Tagger()
    tagger.open_inmemory(data)
    return tagger


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Model:
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(f"{name}.crfsuite") for name in PARTS}
        meta = json.loads(zf.read("meta.json"))
    key = hashlib.sha1(b"".join(parts[name] for name in PARTS)).hexdigest()[:16]
    lines, fields, titles = (open_tagger(parts[name]) for name in PARTS)
    return Model(lines, fields, titles, meta, parts, key)


def load_model(explicit: str | Path | None = None) -> Model:
    """The model at ``model_path(explicit)``, loaded once per file version."""
    path = model_path(explicit)
    try:
        st = path.stat()
    except OSError as exc:
        raise ModelMissing(
            f"no trained model at {path}: run `bylines train` (or set {MODEL_ENV} to a model file)"
        ) from exc
    return _load(str(path.resolve()), st.st_mtime_ns, st.st_size)
