"""What a user can set about fetching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path

DEADLINE_PER_TIMEOUT = 4  # a whole response may take 4 timeouts: 2 minutes by default


@dataclass(frozen=True)
class FetchOptions:
    rate: float = 1.0  # requests per second per host
    concurrency: int = 4
    cache_path: Path | None = None  # None: the user's cache folder
    offline: bool = False
    refresh: bool = False
    max_age: timedelta = timedelta(hours=24)
    timeout: float = 30.0  # seconds: to connect, and for each wait for data
    retries: int = 4
    backoff: float = 1.0  # seconds; doubles with each retry
    user_agent: str | None = None
    max_bytes: int = 20 * 1024 * 1024
    # An address of a data file (.json, .csv): a site's feed of every paper with its abstract
    # runs to tens of MB. As large as the parser reads (schedscrape.parse.MAX_PAGE_BYTES).
    max_data_bytes: int = 64 * 1024 * 1024
    obey_robots: bool = True
    cookies: CookieJar | None = None  # the user's own login (--cookies; see fetch.cookies)

    @property
    def deadline(self) -> float:
        """Seconds a whole response (headers and body) may take, counted from its request:
        a server that drips a byte at a time never trips the timeout, so it gets this one."""
        return DEADLINE_PER_TIMEOUT * self.timeout
