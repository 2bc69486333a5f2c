"""Shared paths and fixtures. Third-party pages in ../shared are used when present, else skipped."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

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
