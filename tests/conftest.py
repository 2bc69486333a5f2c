"""Shared paths and fixtures. Third-party pages in ../shared are used when present, else skipped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

import schedscrape.scrape
from schedscrape.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SESSIONS = FIXTURES / "sessions"
EDGE = FIXTURES / "edge"
SHARED = ROOT.parent / "shared"
REAL_PAGE = SHARED / "real" / "icml2025-session-50259.html"
SEED_TEXT = SHARED / "seed" / "icml2022-session-hall-g.txt"

# Tests of the forked worker processes; elsewhere `scrape` and `crawl` use threads.
forked_workers = pytest.mark.skipif(
    not sys.platform.startswith("linux") or (os.cpu_count() or 1) < 2,
    reason="worker processes are forked on Linux with more than one CPU only",
)

# Property tests: quick by default, thorough with SCHEDSCRAPE_HYPOTHESIS=thorough.
settings.register_profile("default", max_examples=150, deadline=None)
settings.register_profile("thorough", max_examples=3000, deadline=None)
settings.load_profile(os.environ.get("SCHEDSCRAPE_HYPOTHESIS", "default"))


@pytest.fixture(scope="session")
def real_page() -> bytes:
    if not REAL_PAGE.exists():
        pytest.skip("../shared/real page not available")
    return REAL_PAGE.read_bytes()


@pytest.fixture(scope="session")
def seed_text() -> bytes:
    if not SEED_TEXT.exists():
        pytest.skip("../shared/seed text not available")
    return SEED_TEXT.read_bytes()


@pytest.fixture(params=["processes", "threads"])
def workers(request, monkeypatch):
    """Both kinds of worker: forked processes (Linux with several CPUs) and threads (other
    systems, one CPU, or more concurrent requests than MAX_PROCESSES)."""
    if request.param == "threads":
        monkeypatch.setattr(schedscrape.scrape, "MAX_PROCESSES", 0)
    return request.param


def run_crawl(tmp_path: Path, *arguments: object, out: str = "out") -> int:
    """`schedscrape crawl ARGUMENTS...` in this process, into `tmp_path/out`, with a cache of
    its own in `tmp_path`."""
    argv = ["crawl", *map(str, arguments), "-o", str(tmp_path / out)]
    return main([*argv, "--cache", str(tmp_path / "cache.sqlite")])
