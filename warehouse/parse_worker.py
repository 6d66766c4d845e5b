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


def warm_up() -> None:
    """Import the parser and load its model, gazetteer and the staging shapes (each cached per process)."""
    import pyarrow as pa

    import transforms.parse  # noqa: F401 - the parser's modules and their compiled patterns
    from transforms.gazetteer import load_gazetteer
    from transforms.model import ModelMissing, load_model
    from warehouse.staging import schemas

    load_gazetteer()
    with contextlib.suppress(ModelMissing):  # the first parse reports it, per dump
        load_model()
    schemas()
    pa.array([0])  # pyarrow's first conversion of Python values imports its pandas shim


warm_up()
