"""The fetch errors a user sees, and how a low-level network error becomes one line."""

from __future__ import annotations

import re

from schedscrape.errors import ScheduleError


class FetchError(ScheduleError):
    """A page that could not be fetched; the message says why, in one line."""

    stage = "fetch"


class CacheError(ScheduleError):
    """The on-disk HTTP cache cannot be opened or used."""

    stage = "fetch"


class LoginRedirect(FetchError):
    pass


class RobotsDisallowed(FetchError):
    stage = "robots"


def one_line(error: Exception | None) -> str:
    """An error as one short line: the underlying reason, not requests' and urllib3's wrapping
    (`ConnectionError(MaxRetryError(pool, url, reason))`), which the URL beside it repeats."""
    if error is None:
        return "unknown error"
    for _depth in range(5):  # a few levels of wrapping, never a cycle
        if not (error.args and isinstance(error.args[0], Exception)):
            break
        inner = error.args[0]
        error = getattr(inner, "reason", None) or inner
    text = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    text = _CONNECTION_PREFIX.sub("", text)
    return " ".join(text.split())[:200] or type(error).__name__


# urllib3's errors open with the connection ("HTTPConnectionPool(host='x', port=80): ...").
_CONNECTION_PREFIX = re.compile(r"^\w+\(host=[^)]*\):\s*")
