"""Compile the project's own modules to bytecode (``__pycache__``), as installing a wheel would.

Why: an editable install leaves the project's sources uncompiled, and where ``PYTHONDONTWRITEBYTECODE``
is set (these development machines set it) Python never writes their ``.pyc``: every ``bylines``
process then compiled some 14,000 lines of ``orchestration``, ``warehouse`` and ``transforms`` again,
0.1-0.2 CPU s of each one-new-dump run (docs/performance.md, "The fourth round"). A deployed install
pays that once. ``make`` runs this after installing, and ``bylines bench`` before timing, so the
benchmark measures what a deployed run pays. A module edited since is compiled in memory as before
(Python checks each ``.pyc`` against its source), so a stale file never runs.
"""

from __future__ import annotations

import compileall
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
PACKAGES = ("orchestration", "warehouse", "transforms", "evaluation", "dashboard", "samples", "benchmarks")


def compile_project() -> bool:
    """Write the ``.pyc`` of every module of the project's packages; False if one could not be written."""
    return all(
        compileall.compile_dir(PROJECT / name, quiet=1) for name in PACKAGES if (PROJECT / name).is_dir()
    )


if __name__ == "__main__":
    raise SystemExit(0 if compile_project() else 1)
