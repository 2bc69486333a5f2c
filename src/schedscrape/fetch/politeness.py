"""Politeness towards a site: an honest User-Agent, and the rate limit and bound on requests
in flight that every worker shares."""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.context
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator

PROJECT_URL = "https://github.com/schedscrape/schedscrape"


def default_user_agent() -> str:
    from schedscrape import __version__

    return f"schedscrape/{__version__} (+{PROJECT_URL})"


def user_agent(custom: str | None) -> str:
    """A custom agent still says who is asking: schedscrape never poses as a browser."""
    if not custom:
        return default_user_agent()
    return custom if "schedscrape" in custom.lower() else f"{custom} {default_user_agent()}"


class RequestGate(ABC):
    """What each request waits for: one of the in-flight places, then its host's turn."""

    _in_flight: threading.BoundedSemaphore

    @contextlib.contextmanager
    def request(self, host: str) -> Iterator[None]:
        """Hold an in-flight place for the request, taken when the host's next slot comes."""
        with self._in_flight:
            delay = self._reserve(host)
            if delay > 0:
                time.sleep(delay)
            yield

    @abstractmethod
    def _reserve(self, host: str) -> float:
        """Book the host's next slot; return how long until it comes."""


class RateLimiter(RequestGate):
    """At most one request per `interval` seconds per host, and `max_in_flight` requests at
    once, across all threads."""

    def __init__(self, interval: float, max_in_flight: int = 1) -> None:
        self.interval = interval
        self._next_free: dict[str, float] = {}
        self._intervals: dict[str, float] = {}
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight)

    def slow_down(self, host: str, interval: float) -> None:
        """A host asked for more room (robots.txt Crawl-delay)."""
        with self._lock:
            self._intervals[host] = max(interval, self.interval)

    def _reserve(self, host: str) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_free.get(host, now))
            self._next_free[host] = slot + self._intervals.get(host, self.interval)
        return slot - now


class SharedRateLimiter(RequestGate):
    """The rate limit for worker processes: one schedule in shared memory, for all hosts, and
    one count of requests in flight.

    Never looser than the per-host limit (a crawl is one host), and it needs no shared dict.
    Create it before forking the workers that share it.
    """

    def __init__(
        self, interval: float, max_in_flight: int, context: multiprocessing.context.BaseContext
    ) -> None:
        self._next_free = context.Value("d", 0.0, lock=False)
        self._interval = context.Value("d", interval, lock=False)
        self._lock = context.Lock()
        self._in_flight = context.BoundedSemaphore(max_in_flight)

    def slow_down(self, host: str, interval: float) -> None:
        with self._lock:
            self._interval.value = max(interval, self._interval.value)

    def _reserve(self, host: str) -> float:
        with self._lock:  # time.monotonic is one system-wide clock on Linux
            now = time.monotonic()
            slot = max(now, self._next_free.value)
            self._next_free.value = slot + self._interval.value
        return slot - now
