"""parse_page on the real 736 KB ICML 2025 page, against lxml.html.fromstring on the same bytes.

Target (issue #2): the first parse_page call after a warm-up on another page takes at most 4x
the time of lxml.html.fromstring, both measured in the same run. One "first call" is a single
noisy sample, so each trial runs in a fresh interpreter (9 by default); the script prints every
trial and the median ratio, and exits 1 if that median is over the target.

    python benchmarks/parse_speed.py [PAGE] [--trials N]
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PAGE = ROOT.parent / "shared" / "real" / "icml2025-session-50259.html"
WARMUP_PAGE = ROOT / "fixtures" / "sessions" / "icml2022-oral-session.html"
TARGET = 4.0


def _timed(function, data: bytes) -> float:
    gc.collect()
    start = time.perf_counter()
    function(data)
    return time.perf_counter() - start


def trial(page: Path) -> dict:
    """One fresh-process measurement: warm up, first parse_page call, then lxml."""
    import lxml.html

    import schedscrape

    data = page.read_bytes()
    schedscrape.parse_page(WARMUP_PAGE.read_bytes())  # imports, regex compilation, caches
    first = _timed(schedscrape.parse_page, data)
    lxml_time = statistics.median(_timed(lxml.html.fromstring, data) for _ in range(5))
    return {"first": first, "lxml": lxml_time, "talks": len(schedscrape.parse_page(data).talks)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("page", nargs="?", type=Path, default=DEFAULT_PAGE)
    parser.add_argument("--trials", type=int, default=9)
    parser.add_argument("--trial", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.page.exists():
        print(f"benchmark page not found: {args.page}", file=sys.stderr)
        return 2
    if args.trial:
        print(json.dumps(trial(args.page)))
        return 0

    ratios = []
    print(f"page: {args.page.name} ({args.page.stat().st_size / 1024:.0f} KiB)")
    for number in range(1, args.trials + 1):
        output = subprocess.run(
            [sys.executable, __file__, str(args.page), "--trial"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output)
        ratio = result["first"] / result["lxml"]
        ratios.append(ratio)
        print(
            f"trial {number}: lxml.html.fromstring {result['lxml'] * 1000:.1f} ms, "
            f"parse_page first call {result['first'] * 1000:.1f} ms "
            f"({result['talks']} talks), ratio {ratio:.2f}"
        )
    median = statistics.median(ratios)
    print(f"median ratio parse_page/lxml: {median:.2f} (target <= {TARGET})")
    return 0 if median <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
