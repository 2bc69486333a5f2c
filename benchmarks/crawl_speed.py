"""schedscrape crawl against a minimal Scrapy spider doing the same job, in the same run.

Workload (issue #3): a local site with 200 session pages of 40 cards each, 50 ms latency per
response, concurrency 8, a rate limit high enough not to bind, an empty cache. Both tools run
end to end as commands (start-up included) and write one JSON file of the cards, as the
spider's feed does (schedscrape also writes sessions, talk_authors, errors and a manifest).
Targets: schedscrape takes at most half of Scrapy's time, and stays within 2x the
latency-bound limit (200 x 50 ms / 8 = 1.25 s) plus start-up.

    pip install -e '.[bench]' && python benchmarks/crawl_speed.py [--rounds N]
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakesite import FakeSite, SiteConfig  # noqa: E402

SESSIONS, CARDS, LATENCY, CONCURRENCY = 200, 40, 0.05, 8


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    finished = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if finished.returncode != 0:
        sys.stderr.write(finished.stderr)
        raise subprocess.CalledProcessError(finished.returncode, command)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of each tool")
    args = parser.parse_args()
    # Both tools start from compiled bytecode, as a pip install leaves them. An editable install
    # under PYTHONDONTWRITEBYTECODE=1 would otherwise recompile schedscrape on every run.
    compileall.compile_dir(ROOT / "src", quiet=1)
    config = SiteConfig(sessions=list(range(1001, 1001 + SESSIONS)), cards=CARDS, latency=LATENCY)
    latency_bound = SESSIONS * LATENCY / CONCURRENCY
    ours, theirs = [], []
    with FakeSite(config) as site, tempfile.TemporaryDirectory() as scratch:
        scratch_path = Path(scratch)
        calendar = f"{site.url}/virtual/{config.year}/calendar"
        startup = timed([sys.executable, "-m", "schedscrape", "--version"])
        for round_number in range(args.rounds):
            cache = scratch_path / f"cache-{round_number}.sqlite"  # empty every round
            ours.append(
                timed(
                    [
                        sys.executable,
                        "-m",
                        "schedscrape",
                        "crawl",
                        calendar,
                        "-o",
                        str(scratch_path / "out"),
                        "--cache",
                        str(cache),
                        "--rate",
                        "10000",
                        "--concurrency",
                        str(CONCURRENCY),
                        "--fresh",
                        "--format",
                        "json",
                    ]
                )
            )
            try:
                theirs.append(
                    timed(
                        [
                            sys.executable,
                            str(ROOT / "benchmarks" / "scrapy_spider.py"),
                            calendar,
                            str(scratch_path / "scrapy.json"),
                        ]
                    )
                )
            except (subprocess.CalledProcessError, FileNotFoundError) as exc:
                print(f"Scrapy run failed ({exc}); install it with pip install -e '.[bench]'")
                return 2
        ours_talks = len(json.loads((scratch_path / "out" / "talks.json").read_text()))
        theirs_items = len(json.loads((scratch_path / "scrapy.json").read_text()))
    ours_time, theirs_time = statistics.median(ours), statistics.median(theirs)
    limit = 2 * latency_bound + startup
    print(
        f"workload: {SESSIONS} sessions x {CARDS} cards, {LATENCY * 1000:.0f} ms latency, "
        f"concurrency {CONCURRENCY}; latency-bound limit {latency_bound:.2f} s; "
        f"median of {args.rounds} alternating runs"
    )
    print(
        f"schedscrape crawl: {ours_time:.2f} s ({ours_talks} talks; runs "
        f"{', '.join(f'{t:.2f}' for t in ours)}; interpreter start-up {startup:.2f} s)"
    )
    print(
        f"Scrapy spider:     {theirs_time:.2f} s ({theirs_items} items; runs "
        f"{', '.join(f'{t:.2f}' for t in theirs)})"
    )
    print(f"ratio schedscrape/Scrapy: {ours_time / theirs_time:.2f} (target <= 0.5)")
    print(
        f"schedscrape / (2 x latency bound + start-up = {limit:.2f} s): "
        f"{ours_time / limit:.2f} (target <= 1)"
    )
    ok = ours_time <= theirs_time / 2 and ours_time <= limit
    return 0 if ok and ours_talks == theirs_items == SESSIONS * CARDS else 1


if __name__ == "__main__":
    sys.exit(main())
