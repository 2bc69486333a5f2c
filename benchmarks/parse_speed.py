"""parse_page on the real 736 KB ICML 2025 page, against lxml.html.fromstring on the same bytes.

Target (issue #2): the first parse_page call after a warm-up on another page takes at most 4x
the time of lxml.html.fromstring, both measured in this run. Prints the figures and the ratio.

    python benchmarks/parse_speed.py [PAGE]
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

import lxml.html

import schedscrape

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = ROOT.parent / "shared" / "real" / "icml2025-session-50259.html"
WARMUP_PAGE = ROOT / "fixtures" / "sessions" / "icml2022-oral-session.html"
TARGET = 4.0


def timed(function, *args, **kwargs) -> float:
    gc.collect()
    start = time.perf_counter()
    function(*args, **kwargs)
    return time.perf_counter() - start


def main() -> int:
    page = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PAGE
    if not page.exists():
        print(f"benchmark page not found: {page}", file=sys.stderr)
        return 2
    data = page.read_bytes()
    schedscrape.parse_page(WARMUP_PAGE.read_bytes())  # imports, regex compilation, caches
    first = timed(schedscrape.parse_page, data)
    baseline = statistics.median(timed(lxml.html.fromstring, data) for _ in range(5))
    repeated = statistics.median(timed(schedscrape.parse_page, data) for _ in range(5))
    talks = len(schedscrape.parse_page(data).talks)
    ratio = first / baseline
    print(f"page: {page.name} ({len(data) / 1024:.0f} KiB, {talks} talks)")
    print(f"lxml.html.fromstring (median of 5): {baseline * 1000:.1f} ms")
    print(f"parse_page, first call after warm-up: {first * 1000:.1f} ms")
    print(f"parse_page, median of 5 more calls:  {repeated * 1000:.1f} ms")
    print(f"ratio first/lxml: {ratio:.2f} (target <= {TARGET}); "
          f"median/lxml: {repeated / baseline:.2f}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
