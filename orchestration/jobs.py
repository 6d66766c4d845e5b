"""The one ingest job: every asset (and its checks), landing -> raw -> parse -> load -> publish.

Why one job for CLI, sensor and schedule: the same code path runs everywhere, so a backfill
from the command line behaves exactly like the nightly run. Its tag lets the run queue
(`.dagster/dagster.yaml`) keep writer runs one at a time.
"""

from __future__ import annotations

import dagster as dg

INGEST_JOB_NAME = "ingest_job"
WRITER_RUN_TAG = {"bylines/writer": "warehouse"}

ingest_job = dg.define_asset_job(
    name=INGEST_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description="Land new dumps, parse them, load the warehouse, run the checks, publish the read copy.",
    tags=WRITER_RUN_TAG,
)
