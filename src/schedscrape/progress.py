"""Progress on stderr: a bar on a terminal; otherwise a plain line now and then, for logs.

How much is said is set once per run (`set_verbosity`): QUIET, the closing summary only (which
the command prints itself); NORMAL, progress and each failed page too; VERBOSE, each page.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING

from schedscrape.wording import plural

if TYPE_CHECKING:  # imported on use: runs whose stderr is a log never show a bar
    from tqdm import tqdm

LOG_EVERY = 30.0  # seconds between plain progress lines when stderr is not a terminal

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_bar_showing: tqdm | None = None
QUIET, NORMAL, VERBOSE = 0, 1, 2
_verbosity = NORMAL


def set_verbosity(level: int) -> None:
    global _verbosity
    _verbosity = level


def terminal_safe(text: str) -> str:
    """Escape control and bidi-override characters, which page text can smuggle into a terminal."""
    return _CONTROL.sub(
        lambda match: (
            f"\\x{ord(match.group()):02x}"
            if ord(match.group()) < 0x100
            else f"\\u{ord(match.group()):04x}"
        ),
        text,
    )


def report(message: str, level: int = NORMAL) -> None:
    """One line on stderr, printed above the bar if one is showing; unless the run is quieter
    than `level`."""
    if _verbosity < level:
        return
    if _bar_showing is not None:
        _bar_showing.write(terminal_safe(message), file=sys.stderr)
    else:
        print(terminal_safe(message), file=sys.stderr, flush=True)


class Progress:
    """A counted task: `advance()` once per item. With `parts` (each part's number of items,
    such as a crawl's entries), the bar and the log lines count each part too; `grow()` adds
    items found along the way."""

    def __init__(self, total: int, unit: str, parts: Mapping[str, int] | None = None) -> None:
        global _bar_showing
        self._total = total
        self._unit = unit
        self._parts = {name: [0, count] for name, count in (parts or {}).items()}
        self._done = 0
        self._started = time.monotonic()
        self._next_line = self._started + LOG_EVERY
        self._bar: tqdm | None = None
        if sys.stderr.isatty() and _verbosity > QUIET:
            from tqdm import tqdm

            self._bar = _bar_showing = tqdm(
                total=total, unit=unit, file=sys.stderr, leave=False, dynamic_ncols=True
            )

    def grow(self, count: int, part: str | None = None) -> None:
        """`count` more items to do (in `part`)."""
        self._total += count
        if part is not None:
            self._parts[part][1] += count
        if self._bar is not None:
            self._bar.total = self._total
            self._bar.refresh()

    def advance(self, label: str = "", count: int = 1, part: str | None = None) -> None:
        self._done += count
        if part is not None:
            self._parts[part][0] += count
        if len(self._parts) > 1:  # the parts' counts say more than the last item's name
            label = ", ".join(
                f"{name} {done}/{total}" for name, (done, total) in self._parts.items()
            )
        elif label:
            label = label[:40]
        if self._bar is not None:
            if label:  # tqdm trims the line to the terminal's width
                self._bar.set_postfix_str(terminal_safe(label), refresh=False)
            self._bar.update(count)
            return
        now = time.monotonic()
        if now >= self._next_line and self._done < self._total:
            self._next_line = now + LOG_EVERY
            percent = 100 * self._done // max(self._total, 1)
            by_part = f": {label}" if len(self._parts) > 1 else ""
            report(
                f"schedscrape: {self._done} of {plural(self._total, self._unit)} done "
                f"({percent} %) after {_duration(now - self._started)}{by_part}"
            )

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _bar_showing
        if self._bar is not None:
            self._bar.close()
            _bar_showing = None


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
