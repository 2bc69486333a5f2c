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

from schedscrape.links import site_of

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
    """What each request waits for: one of the in-flight places, and its host's next slot.

    A request whose host's slot is near (within `SHORT_WAIT`) books it and waits for it
    holding its place, as a request to a fast site always does. One whose slot is further
    off (a slow rate, a Crawl-delay) waits without a place, and tries again when the slot is
    near. So a host that must be waited for never holds up another host's requests: hosts
    crawled together each go at their own rate, and `max_in_flight` bounds them all.
    """

    _in_flight: threading.BoundedSemaphore
    _lock: contextlib.AbstractContextManager  # held while a host's schedule is read or changed

    @contextlib.contextmanager
    def request(self, host: str) -> Iterator[None]:
        """Hold an in-flight place for the request while it is on the wire. One schedule per
        site (`site_of`): `icml.cc` and `www.icml.cc`, which redirect to each other, are one
        server's names."""
        host = site_of(host)
        while True:
            self._in_flight.acquire()
            with self._lock:
                next_free, interval = self._schedule(host)
                now = time.monotonic()
                slot = max(now, next_free)
                if slot - now <= SHORT_WAIT:
                    self._set_schedule(host, slot + interval, interval)
                    break
            self._in_flight.release()
            time.sleep(slot - now - SHORT_WAIT)
        try:
            if slot > now:
                time.sleep(slot - now)
            yield
        finally:
            self._in_flight.release()

    def slow_down(self, host: str, interval: float) -> None:
        """A host asked for more room (robots.txt Crawl-delay), from its next request on."""
        host = site_of(host)
        with self._lock:
            next_free, current = self._schedule(host)
            if interval > current:
                self._set_schedule(host, next_free + interval - current, interval)

    @abstractmethod
    def _schedule(self, host: str) -> tuple[float, float]:
        """When the host's next slot is (time.monotonic), and the interval between its
        requests; called with the lock held."""

    @abstractmethod
    def _set_schedule(self, host: str, next_free: float, interval: float) -> None: ...


# Seconds a request may wait for its host's slot holding a place in flight: giving the place
# back and taking it again would cost more than such a wait holds up another host.
SHORT_WAIT = 0.05


class RateLimiter(RequestGate):
    """At most one request per `interval` seconds per host, and `max_in_flight` requests at
    once, across all threads."""

    def __init__(self, interval: float, max_in_flight: int = 1) -> None:
        self.interval = interval
        self._hosts: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight)

    def _schedule(self, host: str) -> tuple[float, float]:
        return self._hosts.get(host, (0.0, self.interval))

    def _set_schedule(self, host: str, next_free: float, interval: float) -> None:
        self._hosts[host] = (next_free, interval)


class SharedRateLimiter(RequestGate):
    """The same limits for worker processes: each host's schedule, and the count of requests
    in flight, live in shared memory. Create it before forking the workers.

    Hosts take the places of a fixed table as they are first asked for. Beyond
    `MAX_SHARED_HOSTS` hosts, a host shares the place of another: never looser, only slower.
    """

    def __init__(
        self, interval: float, max_in_flight: int, context: multiprocessing.context.BaseContext
    ) -> None:
        self._keys = context.Array("q", MAX_SHARED_HOSTS, lock=False)  # 0: a free place
        self._next_free = context.Array("d", MAX_SHARED_HOSTS, lock=False)
        self._intervals = context.Array("d", [interval] * MAX_SHARED_HOSTS, lock=False)
        self._lock = context.Lock()
        self._in_flight = context.BoundedSemaphore(max_in_flight)
        self._places: dict[str, int] = {}  # this process's memo of the table

    def _place(self, host: str) -> int:
        """The host's place in the table; called with the lock held."""
        if host not in self._places:
            key = _host_key(host)
            keys = self._keys[:]
            if key in keys:
                self._places[host] = keys.index(key)
            elif 0 in keys:
                self._places[host] = keys.index(0)
                self._keys[self._places[host]] = key
            else:
                self._places[host] = key % MAX_SHARED_HOSTS
        return self._places[host]

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
