"""`bylines dashboard` really serves the app (a subprocess, polled on Streamlit's health endpoint)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import PROJECT_ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_bylines_dashboard_serves_the_app(built_warehouse: Path) -> None:
    port = _free_port()
    bylines = Path(sys.executable).with_name("bylines")
    proc = subprocess.Popen(
        [str(bylines), "dashboard", "--port", str(port), "--warehouse", str(built_warehouse)],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        health = b""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                time.sleep(0.3)
        assert health == b"ok", proc.stdout.read().decode() if proc.poll() is not None else "no answer"
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).read().decode()
        assert "<title>" in page.lower() or "streamlit" in page.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
