"""Politeness towards a site: an honest User-Agent, and the rate limit and bound on requests
in flight that every worker shares."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import multiprocessing.context
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

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
    """What each request waits for: its host's turn, then one of the in-flight places.

    The requests of one host queue for its turn, one at a time; only the request whose turn
    has come waits for a place. A host that must be waited for (its rate, a Crawl-delay) so
    holds no place that another host's request could use: hosts crawled together each go at
    their own rate, and `max_in_flight` bounds them all.
    """

    _in_flight: threading.BoundedSemaphore
    _lock: contextlib.AbstractContextManager  # held while a host's schedule changes

    @contextlib.contextmanager
    def request(self, host: str) -> Iterator[None]:
        """Hold an in-flight place for the request while it is on the wire."""
        with self._turn(host):
            while (delay := self._schedule(host)[0] - time.monotonic()) > 0:
                time.sleep(delay)
            self._in_flight.acquire()
            with self._lock:
                interval = self._schedule(host)[1]
                self._set_schedule(host, time.monotonic() + interval, interval)
        try:
            yield
        finally:
            self._in_flight.release()

    def slow_down(self, host: str, interval: float) -> None:
        """A host asked for more room (robots.txt Crawl-delay), from its next request on.
        Never waits for the host's turn: a worker learning the rules of a host it is not
        fetching from must not queue behind that host's requests."""
        with self._lock:
            next_free, current = self._schedule(host)
            if interval > current:
                self._set_schedule(host, next_free + interval - current, interval)

    @abstractmethod
    def _turn(self, host: str) -> contextlib.AbstractContextManager:
        """The host's queue: held by one request of the host at a time."""

    @abstractmethod
    def _schedule(self, host: str) -> tuple[float, float]:
        """When the host may be sent its next request (time.monotonic), and the interval
        between its requests."""

    @abstractmethod
    def _set_schedule(self, host: str, next_free: float, interval: float) -> None: ...


@dataclass
class _Host:
    interval: float
    next_free: float = 0.0
    turn: threading.Lock = field(default_factory=threading.Lock)


class RateLimiter(RequestGate):
    """At most one request per `interval` seconds per host, and `max_in_flight` requests at
    once, across all threads."""

    def __init__(self, interval: float, max_in_flight: int = 1) -> None:
        self.interval = interval
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight)

    def _host(self, host: str) -> _Host:
        with self._hosts_lock:
            return self._hosts.setdefault(host, _Host(self.interval))

    def _turn(self, host: str) -> threading.Lock:
        return self._host(host).turn

    def _schedule(self, host: str) -> tuple[float, float]:
        found = self._host(host)
        return found.next_free, found.interval

    def _set_schedule(self, host: str, next_free: float, interval: float) -> None:
        found = self._host(host)
        found.next_free, found.interval = next_free, interval


class SharedRateLimiter(RequestGate):
    """The same limits for worker processes: each host's schedule and queue, and the count of
    requests in flight, live in shared memory. Create it before forking the workers.

    Hosts take the places of a fixed table as they are first asked for. Beyond
    `MAX_SHARED_HOSTS` hosts, a host shares the place of another: never looser, only slower.
    """

    def __init__(
        self, interval: float, max_in_flight: int, context: multiprocessing.context.BaseContext
    ) -> None:
        self._keys = context.Array("q", MAX_SHARED_HOSTS, lock=False)  # 0: a free place
        self._next_free = context.Array("d", MAX_SHARED_HOSTS, lock=False)
        self._intervals = context.Array("d", [interval] * MAX_SHARED_HOSTS, lock=False)
        self._turns = [context.Lock() for _ in range(MAX_SHARED_HOSTS)]
        self._lock = context.Lock()
        self._table_lock = context.Lock()
        self._in_flight = context.BoundedSemaphore(max_in_flight)
        self._places: dict[str, int] = {}  # this process's memo of the table

    def _place(self, host: str) -> int:
        if host in self._places:
            return self._places[host]
        key = _host_key(host)
        with self._table_lock:
            keys = self._keys[:]
            if key in keys:
                place = keys.index(key)
            elif 0 in keys:
                place = keys.index(0)
                self._keys[place] = key
            else:
                place = key % MAX_SHARED_HOSTS
        self._places[host] = place
        return place

    def _turn(self, host: str) -> contextlib.AbstractContextManager:
        return self._turns[self._place(host)]

    def _schedule(self, host: str) -> tuple[float, float]:
        place = self._place(host)
        return self._next_free[place], self._intervals[place]

    def _set_schedule(self, host: str, next_free: float, interval: float) -> None:
        place = self._place(host)
        self._next_free[place], self._intervals[place] = next_free, interval


MAX_SHARED_HOSTS = 64


def _host_key(host: str) -> int:
    """A host's key in the shared table: the same in every process, never 0."""
    digest = hashlib.blake2b(host.encode(), digest_size=8).digest()
    return int.from_bytes(digest) >> 1 | 1
