"""Progress on stderr: a bar on a terminal, silence otherwise (logs stay clean)."""

from __future__ import annotations

import re
import sys
from types import TracebackType

from tqdm import tqdm

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


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


def report(message: str) -> None:
    """One line on stderr, printed above the bar if one is showing."""
    tqdm.write(terminal_safe(message), file=sys.stderr)


class Progress:
    """A counted task: `advance()` once per item."""

    def __init__(self, total: int | None, unit: str) -> None:
        self._bar = tqdm(
            total=total,
            unit=unit,
            file=sys.stderr,
            leave=False,
            disable=not sys.stderr.isatty(),
            dynamic_ncols=True,
        )

    def advance(self, label: str = "", count: int = 1) -> None:
        if label:
            self._bar.set_postfix_str(terminal_safe(label)[:40], refresh=False)
        self._bar.update(count)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._bar.close()
