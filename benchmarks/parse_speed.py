"""parse_page on one page of each kind, against lxml.html.fromstring on the same bytes.

Target (issue #10): every reader stays within 4x a bare lxml parse of the same page, both on
a first call and in a warm process.

Pages: the real 736 KB ICML 2025 session page and the real NeurIPS 2023 detail page (from
../shared/real/, else the fixtures); an events list of 1,000 cards, a list page of 3,500 and a
schedule of 2,000, made by repeating the fixtures' cards with distinct ids, titles, days and
(where the kind has them) abstracts of a realistic length; a text rendering of 232 cards.

Two figures per kind:
- first call: each sample is a fresh interpreter that warms up on other pages (the oral-session
  fixture and the kind's small fixture) and then times one first call, either parse_page or
  lxml.html.fromstring (a first call pays for growing the heap, a repeated one does not).
  Samples of the two alternate; the ratio is of the medians.
- steady state: one warm process times the two in alternating rounds; the ratio is of the
  fastest of each.

The script prints one row per kind and exits 1 if any ratio of an HTML kind is over the
target (lxml reads a text rendering as one text node: that row has no verdict).

    python benchmarks/parse_speed.py [--trials N] [--kind KIND]
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "real"
PAGES = ROOT / "fixtures" / "pages"
SESSION_WARMUP = ROOT / "fixtures" / "sessions" / "icml2022-oral-session.html"
TARGET = 4.0
# lxml reads plain text as one text node, in a fraction of a millisecond: the ratio is shown
# but judges nothing.
TEXT = "text rendering"

# As long as the real ICML 2025 page's abstracts (1,250 characters on average) and as
# LaTeX-light: a quarter of them hold one math span, the rest none.
_ABSTRACT = (
    "We study {topic} in the regime where the number of parameters grows with the sample size, "
    "and show that a simple two-stage estimator attains the minimax rate up to logarithmic "
    "factors{math}. Our analysis rests on a new concentration inequality for sums of dependent "
    "matrices, which may be of independent interest beyond this setting. Prior work either "
    "assumed independence across rounds or paid a polynomial price in the dimension; we remove "
    "both restrictions by coupling the estimator with a martingale that tracks its bias. "
    "Experiments on ImageNet-1k, CIFAR-100 and three tabular benchmarks show gains of 2-5% "
    "over strong baselines at 30% less compute, and on long-context retrieval the method "
    "matches models three times larger. Ablations attribute most of the gain to the second "
    "stage, whose cost is negligible next to training. We also find that the estimator is "
    "robust to label noise of up to 20%, degrades gracefully under distribution shift, and "
    "needs no tuning beyond a single step size. We release code and checkpoints for paper "
    "{index}, and discuss limitations, failure cases on very small datasets, and broader "
    "impact &amp; risks."
)
_MATH = " with $\\mathcal{O}(n \\log n)$ work"
_ID = re.compile(r"(?<!\d)(?!20[12]\d\b)\d{4,5}(?!\d)")  # event ids, not years
_TOPICS = ("sparse regression", "policy optimisation", "diffusion sampling", "graph learning")


@dataclass(frozen=True)
class Kind:
    name: str
    real: Path | None  # the real page, used when present
    fixture: Path  # else this page (scaled to `cards` when a card pattern is given)
    cards: int = 0
    card: str = ""  # regex of one card in the fixture
    title: str = ""  # regex ending just before a card's title
    abstract: str = ""  # regex of a card's abstract: (before)(text)(after)
    days: tuple[str, ...] = ()  # the fixture's first day, then the others to spread cards over


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "session page",
            REAL / "icml2025-session-50259.html",
            ROOT / "fixtures" / "sessions" / "icml2025-poster-session.html",
        ),
        Kind(
            "events list",
            None,
            PAGES / "icml2026-events-oral.html",
            1000,
            r'<div class="event-card.*?\n        </div>\n',
            r'<h3 class="event-title">\s*<a [^>]*>',
            r'(class="abstract-text"[^>]*>)(.*?)(</div>)',
            ("Jul 7,", "Jul 8,", "Jul 9,", "Jul 10,", "Jul 11,"),
        ),
        Kind(
            "list page",
            None,
            PAGES / "neurips2023-posters-list.html",
            3500,
            r'<div class="displaycards.*?\n    </div>\n',
            r'class="small-title[^>]*>',
            r'(class="abstract-display">\s*<p>)(.*?)(</p>)',
            ("Tue 12 Dec", "Wed 13 Dec", "Thu 14 Dec", "Fri 15 Dec"),
        ),
        Kind(
            "schedule",
            None,
            PAGES / "nips2016-schedule.html",
            2000,
            r"<div onclick=.*?\n</div>\n",
            r'class="maincardBody">',
            "",
            ("Mon Dec 5th", "Tue Dec 6th", "Wed Dec 7th", "Thu Dec 8th", "Fri Dec 9th"),
        ),
        Kind(
            "detail page",
            REAL / "neurips2023-poster-70701.html",
            PAGES / "neurips2023-poster-detail.html",
        ),
        Kind(
            TEXT,
            None,
            ROOT / "fixtures" / "renderings" / "icml2025-poster-session.txt",
            232,
            r"(?:Spotlight )?Poster\n\n#E-\d+\n.*?(?=\n(?:Spotlight )?Poster\n\n#|\nSuccessful)",
            r"#E-\d+\n\n",
        ),
    )
}


def scaled(kind: Kind) -> bytes:
    """The fixture with its cards repeated to `kind.cards`, each with a distinct id and title,
    spread over the kind's days, with a realistic abstract where the kind has one."""
    text = kind.fixture.read_text(encoding="utf-8")
    found = list(re.finditer(kind.card, text, re.S))
    start, end = found[0].start(), found[-1].end()
    cards = [_copy(kind, found[i % len(found)].group(), i) for i in range(kind.cards)]
    head = re.sub(r">\d+ Events<", f">{kind.cards:,} Events<", text[:start])  # the count badge
    return (head + "".join(cards) + text[end:]).encode("utf-8")


def _copy(kind: Kind, card: str, index: int) -> str:
    """Card number `index`: its own ids, title and abstract, on its share of the days."""
    card = _ID.sub(lambda match: f"{match.group()}{index:04d}", card)
    card = re.sub(r"#E-\d+", f"#E-{index}", card)
    card = re.sub(kind.title, lambda match: f"{match.group()}Paper {index}: ", card, count=1)
    if kind.abstract:
        topic, math = _TOPICS[index % len(_TOPICS)], _MATH if index % 4 == 0 else ""
        abstract = _ABSTRACT.format(topic=topic, math=math, index=index)
        card = re.sub(kind.abstract, lambda m: m[1] + abstract + m[3], card, flags=re.S)
    if kind.days:
        card = card.replace(kind.days[0], kind.days[index * len(kind.days) // kind.cards])
    return card


def page_of(kind: Kind) -> tuple[bytes, str]:
    """The page to time and how to describe it."""
    if kind.real and kind.real.exists():
        return kind.real.read_bytes(), kind.real.name
    if kind.cards:
        return scaled(kind), f"{kind.fixture.name} x {kind.cards} cards"
    return kind.fixture.read_bytes(), kind.fixture.name


def _functions() -> dict[str, Callable[[bytes], object]]:
    import lxml.html

    import schedscrape

    return {"parse_page": schedscrape.parse_page, "lxml": lxml.html.fromstring}


def warm_up(kind: Kind, data: bytes) -> dict[str, Callable[[bytes], object]]:
    """Imports, regex compilation, pydantic validators: on other pages than the one timed."""
    functions = _functions()
    for page in (SESSION_WARMUP, kind.fixture):
        if page.read_bytes() != data:
            for function in functions.values():
                function(page.read_bytes())
    return functions


def settle() -> None:
    """Finish freeing what the last call dropped before the next call is timed. glibc defers
    coalescing the small blocks a freed tree leaves (lxml's: 3 ms for the session page, 40 ms
    for the list page) to the next large allocation, which would fall inside the next timed
    call: in alternating rounds, parse_page paid for lxml's tree."""
    gc.collect()
    bytearray(4096)  # a large-bin request: malloc coalesces the freed blocks first


def first_call(kind: Kind, page: Path, which: str) -> float:
    """In a fresh interpreter: warm up on other pages, then time one first call."""
    data = page.read_bytes()
    function = warm_up(kind, data)[which]
    settle()
    start = time.perf_counter()
    function(data)
    return time.perf_counter() - start


def steady_state(kind: Kind, data: bytes, rounds: int) -> dict[str, float]:
    """In one warm process, alternating rounds: the fastest time of each."""
    functions = warm_up(kind, data)
    best = dict.fromkeys(functions, float("inf"))
    for _ in range(rounds):
        for which, function in functions.items():
            settle()
            start = time.perf_counter()
            function(data)
            best[which] = min(best[which], time.perf_counter() - start)
    return best


def measure(kind: Kind, trials: int) -> dict:
    data, label = page_of(kind)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page"
        page.write_bytes(data)
        samples: dict[str, list[float]] = {"lxml": [], "parse_page": []}
        for _ in range(trials):
            for which in samples:
                output = subprocess.run(
                    [sys.executable, __file__, "--kind", kind.name, "--sample", which, str(page)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                samples[which].append(json.loads(output))
        best = subprocess.run(
            [sys.executable, __file__, "--kind", kind.name, "--steady", str(trials), str(page)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    steady = json.loads(best)
    medians = {which: statistics.median(times) for which, times in samples.items()}
    return {
        "kind": kind.name,
        "page": f"{label}, {len(data) / 1024:.0f} KiB",
        "lxml_first": medians["lxml"],
        "first": medians["parse_page"] / medians["lxml"],
        "lxml_steady": steady["lxml"],
        "steady": steady["parse_page"] / steady["lxml"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=9, help="samples of each (default 9)")
    parser.add_argument("--kind", choices=list(KINDS), action="append", help="repeatable")
    parser.add_argument("--sample", choices=["parse_page", "lxml"], help=argparse.SUPPRESS)
    parser.add_argument("--steady", type=int, help=argparse.SUPPRESS)
    parser.add_argument("page", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    kinds = [KINDS[name] for name in args.kind or KINDS]
    if args.sample:
        print(json.dumps(first_call(kinds[0], args.page, args.sample)))
        return 0
    if args.steady:
        print(json.dumps(steady_state(kinds[0], args.page.read_bytes(), args.steady)))
        return 0

    print(
        f"parse_page / lxml.html.fromstring; first call: medians of {args.trials} fresh "
        f"interpreters each; steady state: fastest of {args.trials} alternating rounds; "
        f"target <= {TARGET}"
    )
    print(
        f"{'kind':<15} {'lxml first':>10} {'ratio':>6} {'lxml warm':>10} {'ratio':>6}  verdict page"
    )
    over = False
    for kind in kinds:
        row = measure(kind, args.trials)
        ok = max(row["first"], row["steady"]) <= TARGET
        verdict = "n/a " if kind.name == TEXT else "ok  " if ok else "OVER"
        over = over or verdict == "OVER"
        print(
            f"{row['kind']:<15} {row['lxml_first'] * 1000:>8.1f}ms {row['first']:>5.2f}x "
            f"{row['lxml_steady'] * 1000:>8.1f}ms {row['steady']:>5.2f}x  "
            f"{verdict}    {row['page']}",
            flush=True,
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
