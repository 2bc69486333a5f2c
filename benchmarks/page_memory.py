"""Peak memory and time of parse_page on big pages that give no session, or too much of one.

The README promises that a 25 MB page with no session fails in about a second, in under 300 MB
of memory. Each page here is written to a file, then parsed in a fresh interpreter that imports
schedscrape, reads the file and calls parse_page, as `schedscrape parse` would; the figure is
that process's peak resident set size (VmHWM on Linux: ru_maxrss would include the parent's
peak, which a fork hands down), so the interpreter, the imports and the page's own bytes all
count.

    python benchmarks/page_memory.py [--mb 25] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

MB = 1024 * 1024
LOREM = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. "
HEAD = b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>A page</title></head><body>\n"
TAIL = b"\n</body></html>\n"
WITH_ATTRIBUTES = b'<i a="1" b="2" c="3" d="4"></i>'
CARD = (
    b'<div class="track-schedule-card"><h5><a href="/virtual/2025/poster/%d">Talk %d</a></h5>'
    b'<p class="text-muted">Ann Author</p><div class="abstract"><p>Words.</p></div></div>\n'
)


def _fill(unit: bytes, size: int) -> bytes:
    return unit * max(1, (size - len(HEAD) - len(TAIL)) // len(unit))


def paragraphs(size: int) -> bytes:
    return HEAD + _fill(b"<p>" + LOREM + b"</p>\n", size) + TAIL


def one_text_node(size: int) -> bytes:
    return HEAD + b"<p>" + _fill(LOREM, size) + b"</p>" + TAIL


def many_divs(size: int) -> bytes:
    return HEAD + _fill(b'<div class="row"><span>x</span></div>\n', size) + TAIL


def random_tags(size: int) -> bytes:
    rng = random.Random(9)
    names = [b"div", b"span", b"p", b"a", b"li", b"ul", b"td", b"b", b"i", b"section"]
    pieces, total = [HEAD], len(HEAD)
    while total < size - len(TAIL):
        name = rng.choice(names)
        piece = b"<%s class='c%d' id='n%d'>%s</%s>" % (
            name,
            rng.randrange(100),
            total,
            LOREM[: rng.randrange(1, 40)],
            rng.choice(names),  # mismatched closing tags: the parser has to recover
        )
        pieces.append(piece)
        total += len(piece)
    return b"".join(pieces) + TAIL


def deep_nesting(size: int) -> bytes:
    return HEAD + _fill(b"<div>", size) + TAIL


def attributes(size: int) -> bytes:
    """Small tags with several attributes each: the biggest tree for the page's bytes."""
    return HEAD + _fill(WITH_ATTRIBUTES, size) + TAIL


def instructions(size: int) -> bytes:
    """Processing instructions, which lxml's itertext walks in quadratic time."""
    return HEAD + _fill(b"<?x?>", size) + TAIL


def comments_after_the_end(size: int) -> bytes:
    """Comments after </html>: beside the tree, not in it."""
    return HEAD + TAIL + _fill(b"<!---->", size)


def second_page(size: int) -> bytes:
    """A page closed at once, then another: lxml's tree is the first, the rest is left out."""
    return b"<html><body><p>Nothing here.</p></body></html>" + attributes(size)


def big_head(size: int) -> bytes:
    """All of it in <head>: <meta> tags, which belong there."""
    metas = _fill(b'<meta name="n" content="c" a="1" b="2">', size)
    return HEAD.replace(b"</head>", metas + b"</head>") + TAIL


def latin1(size: int) -> bytes:
    """Declared windows-1252, non-ASCII throughout: the page is transcoded before parsing."""
    page = paragraphs(size).replace(b"utf-8", b"windows-1252").replace(b"Lorem", b"L\xf6rem")
    return page


def session_at_the_end(size: int) -> bytes:
    """No session until the last few hundred bytes: one card after 25 MB of filler."""
    card = b'<div class="card-header"><h3>Poster Session</h3></div>' + CARD % (1, 1)
    return HEAD + _fill(b"<p>" + LOREM + b"</p>\n", size - len(card)) + card + TAIL


def one_big_card(size: int) -> bytes:
    """A card that never ends: 25 MB of tags laden with attributes inside one talk card."""
    card = b'<div class="track-schedule-card"><h5><a href="/p/1">Talk</a></h5>'
    return HEAD + card + _fill(WITH_ATTRIBUTES, size) + TAIL


def with_markup_named(page: Callable[[int], bytes]) -> Callable[[int], bytes]:
    """The page with the session classes named in its CSS (as Bootstrap's is), but no session."""
    return lambda size: page(size).replace(
        b"<title>", b"<style>.card-header, .track-schedule-card { margin: 0 }</style><title>", 1
    )


def text_rendering(size: int) -> bytes:
    """A plain-text rendering with no talk in it."""
    return _fill(LOREM[:-1] + b"\n", size)


def text_many_talks(size: int) -> bytes:
    """A text rendering of endless talks: a time slot, a title, an author, over and over."""
    talk = b"Thu 21 July 12:30 - 12:35 PDT\nA title\nAnn Author\n" + LOREM * 2 + b"\n"
    return b"Oral Session\nHall G\n" + _fill(talk, size)


def html_many_cards(size: int) -> bytes:
    cards = b"".join(CARD % (n, n) for n in range(1000))
    return HEAD + _fill(cards, size) + TAIL


PAGES: dict[str, Callable[[int], bytes]] = {
    "paragraphs": paragraphs,
    "one text node": one_text_node,
    "many divs": many_divs,
    "random tags": random_tags,
    "deep nesting": deep_nesting,
    "attributes": attributes,
    "big head": big_head,
    "windows-1252": latin1,
    **{
        f"{name}, classes named": with_markup_named(page)
        for name, page in [
            ("paragraphs", paragraphs),
            ("many divs", many_divs),
            ("random tags", random_tags),
            ("deep nesting", deep_nesting),
            ("attributes", attributes),
            ("big head", big_head),
            ("instructions", instructions),
            ("comments after the end", comments_after_the_end),
            ("second page", second_page),
        ]
    },
    "session at the end": session_at_the_end,
    "one big card": one_big_card,
    "text rendering": text_rendering,
    "text, endless talks": text_many_talks,
    "html, endless cards": html_many_cards,
}

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import schedscrape
from schedscrape.errors import PageError
data = Path(sys.argv[1]).read_bytes()
started = time.perf_counter()
try:
    page = schedscrape.parse_page(data, source="big")
    outcome = f"{len(page.talks)} talks"
except PageError as exc:
    outcome = f"error: {exc}"
seconds = time.perf_counter() - started
try:  # this process's own peak: Linux carries ru_maxrss over from the parent, exec or not
    status = Path("/proc/self/status").read_text()
    peak = int(status.split("VmHWM:")[1].split()[0]) * 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"outcome": outcome, "seconds": seconds, "peak_mb": peak / 1e6}))
"""


def measure(page: Path) -> dict:
    """Parse `page` in a fresh interpreter: its outcome, seconds and peak RSS in MB (10^6)."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(page)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=25)
    parser.add_argument("--only", nargs="*", choices=sorted(PAGES), default=sorted(PAGES))
    args = parser.parse_args()
    size = int(args.mb * MB)
    with tempfile.TemporaryDirectory() as folder:
        for name in args.only:
            path = Path(folder) / "page"
            path.write_bytes(PAGES[name](size))
            figures = measure(path)
            print(
                f"{name:22} {path.stat().st_size / MB:5.1f} MiB  {figures['seconds']:5.2f} s  "
                f"{figures['peak_mb']:5.0f} MB  {figures['outcome'][:90]}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
