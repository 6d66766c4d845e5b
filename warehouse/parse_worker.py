"""What every parse worker holds before its first dump, made once in the pool's fork server.

``warehouse.parsing`` runs its process pool from multiprocessing's fork server with this module
preloaded: the server (a fresh interpreter, started once per pool, never a fork of the writer
with its Dagster threads and DuckDB handles) imports the parser and loads what every parse
needs, and each worker is a fork of it. So a worker starts in milliseconds instead of importing
for about half a second, its pages of code, model and gazetteer are shared with the server and
the other workers (counted once in the run's PSS, not once per worker), and replacing a worker
after it has read ``parsing.WORKER_MAX_BYTES`` (which frees the parser's per-text caches) costs a fork.

Importing this module does the warm-up, since a fork server preloads modules by importing them.
Nothing here touches Dagster or the warehouse file; a failure to warm is left for the first
parse to meet (and quarantine with a reason), never raised here.
"""

from __future__ import annotations

import contextlib
import sys
from importlib.abc import MetaPathFinder


class _WithoutPandas(MetaPathFinder):
    """Makes ``import pandas`` fail while installed (``_pandas_taken_for_absent``)."""

    def find_spec(self, fullname: str, path: object = None, target: object = None) -> None:
        if fullname.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"{fullname} is not imported in parse workers", name=fullname)


def _pandas_taken_for_absent() -> None:
    """Have pyarrow answer its "is pandas installed?" once, with no, and remember it.

    Why: pyarrow's first conversion of Python values imports pandas (to ask whether the value is a
    pandas array), which nothing in a parse needs; in the fork server it cost 46 MB RSS (31 MB of
    it private), in the server and again in every worker's copy of those pages as it touched them.
    pyarrow tries that import once per process, so ``import pandas`` is blocked only for that first
    conversion: code that imports pandas itself later (multiprocessing re-running a parent's
    ``__main__`` in a worker, say) still gets it. A process that had pandas already keeps it.
    """
    import pyarrow as pa

    if "pandas" in sys.modules:
        pa.array([0])
        return
    blocker = _WithoutPandas()
    sys.meta_path.insert(0, blocker)
    try:
        pa.array([0])
    finally:
        sys.meta_path.remove(blocker)


def warm_up() -> None:
    """Import the parser and load its model, gazetteer and the staging shapes (each cached per process)."""
    _pandas_taken_for_absent()
    import transforms.parse  # noqa: F401 - the parser's modules and their compiled patterns
    from transforms.gazetteer import load_gazetteer
    from transforms.model import ModelMissing, load_model
    from warehouse.staging import schemas

    load_gazetteer()
    with contextlib.suppress(ModelMissing):  # the first parse reports it, per dump
        load_model()
    schemas()


warm_up()
