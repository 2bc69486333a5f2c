"""Fetch and parse many session pages at once.

Workers each take a URL, fetch it politely and parse it. At most `concurrency` of them have a
request in flight: the rest are parsing, so a page being parsed never holds up the next
request to the site. On Linux with more than one CPU the workers are forked processes:
fetching (requests, the SQLite cache) and parsing then use every core instead of contending
for one GIL. They share one rate limit and in-flight count in shared memory, and one on-disk
cache. Elsewhere, with one CPU, or above 16 concurrent requests, they are threads sharing one
Fetcher.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import (
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    as_completed,
)
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from schedscrape.discover import entry_url, session_links
from schedscrape.errors import ScheduleError
from schedscrape.fetch import (
    Fetcher,
    FetchError,
    FetchOptions,
    RateLimiter,
    SharedRateLimiter,
    prepare_cache,
)
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, parse_page

MAX_PROCESSES = 16  # above this --concurrency, workers are threads


@dataclass
class Outcome:
    """One URL's result: a parsed page, or the error that stopped it."""

    url: str
    page: ParsedPage | None = None
    error: Problem | None = None


@dataclass(frozen=True)
class _PageOptions:
    """What the user says about every page (parse_page's options), as sent to the workers."""

    year: int | None
    conference: str | None
    zones: dict[str, str]
    tz: str | None = None


@dataclass
class ScrapeStats:
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    by_worker: dict[int, tuple[int, int, int]] = field(default_factory=dict, repr=False)


class Scraper:
    """`with Scraper(options) as scraper:` then `discover()` and `scrape()`."""

    def __init__(self, options: FetchOptions, processes: bool | None = None) -> None:
        self.options = options
        interval = 1.0 / options.rate
        cpus = os.cpu_count() or 1
        if processes is None:  # a process per worker is fine up to a point
            processes = (
                sys.platform.startswith("linux")
                and cpus > 1
                and options.concurrency <= MAX_PROCESSES
            )
        self._processes = processes
        # Workers beyond --concurrency, one per CPU at most: while some parse what they
        # fetched, the others keep the site busy.
        workers = options.concurrency + min(cpus, options.concurrency)
        if processes:
            # Fork the workers first, while this process has no thread and no open cache,
            # but after the cache file is ready for them.
            prepare_cache(options)
            context = multiprocessing.get_context("fork")
            self._limiter: RateLimiter | SharedRateLimiter = SharedRateLimiter(
                interval, options.concurrency, context
            )
            self._pool: Executor = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(options, self._limiter),
            )
            # The first task forks every worker at once (the fork context never spawns more
            # later). Their start-up then overlaps with discovery instead of delaying it.
            self._pool.submit(int)
        else:
            self._limiter = RateLimiter(interval, options.concurrency)
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
        self.fetcher = Fetcher(options, limiter=self._limiter)
        self.stats = ScrapeStats()

    def __enter__(self) -> Scraper:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        self.close(wait=exc_type is not KeyboardInterrupt)

    def close(self, wait: bool = True) -> None:
        """Stop the workers; after Ctrl-C, without waiting for pages in flight."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self.fetcher.close()

    def discover(self, entry: list[str]) -> list[str]:
        """Every session URL of the conference-year that `entry` names. Raises FetchError
        when the entry page cannot be fetched, DiscoveryError when it lists no session."""
        page = self.fetcher.get(entry_url(entry))
        return session_links(page.content, page.url)

    def scrape(
        self,
        urls: list[str],
        *,
        year: int | None = None,
        conference: str | None = None,
        zones: dict[str, str] | None = None,
        tz: str | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        """Every URL's outcome, in the order given (duplicates once). `year`, `conference`,
        `zones` and `tz` are passed to `parse_page` for every page."""
        unique = list(dict.fromkeys(urls))
        by_url: dict[str, Outcome] = {}
        for outcome in self._run(unique, _PageOptions(year, conference, zones or {}, tz)):
            by_url[outcome.url] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
        self._total_stats()
        return [by_url[url] for url in unique]

    def _run(self, urls: list[str], options: _PageOptions) -> Iterator[Outcome]:
        robots, blocked = self._robots_for(urls)
        pending: dict[Future, str] = {}
        for url in urls:
            host = urlsplit(url).netloc
            if host in blocked:
                yield _failure(url, blocked[host])
            elif self._processes:
                pending[self._pool.submit(_work_in_process, url, options, robots)] = url
            else:
                pending[self._pool.submit(_work, self.fetcher, url, options)] = url
        for future in as_completed(pending):
            url = pending[future]
            try:
                outcome, worker, counts = future.result()
            except Exception as exc:  # a worker died: report, keep going
                yield _failure(url, FetchError(f"worker failed ({type(exc).__name__})"))
                continue
            self.stats.by_worker[worker] = counts
            yield outcome

    def _robots_for(self, urls: list[str]) -> tuple[dict[str, str | None], dict[str, Exception]]:
        """robots.txt per host, fetched once here and handed to every worker."""
        robots: dict[str, str | None] = {}
        blocked: dict[str, Exception] = {}
        if not self.options.obey_robots or self.options.offline:
            return robots, blocked
        for url in urls:
            host = urlsplit(url).netloc
            if host not in robots and host not in blocked:
                try:
                    robots[host] = self.fetcher.robots_txt(url)
                except ScheduleError as exc:
                    blocked[host] = exc
                except Exception as exc:  # a bug on one host must not lose the other hosts
                    blocked[host] = _internal_error(exc)
        return robots, blocked

    def _total_stats(self) -> None:
        own = self.fetcher.stats
        counts = [(own.requests, own.cache_hits, own.retries)]
        if self._processes:  # thread workers share the parent's fetcher, counted above
            counts += self.stats.by_worker.values()
        self.stats.requests = sum(c[0] for c in counts)
        self.stats.cache_hits = sum(c[1] for c in counts)
        self.stats.retries = sum(c[2] for c in counts)


# --- inside a worker ---------------------------------------------------------------------

_worker_fetcher: Fetcher | None = None
_worker_problem: ScheduleError | None = None  # why this worker has no fetcher
_parent_pid: int | None = None


def _start_worker(options: FetchOptions, limiter: SharedRateLimiter) -> None:
    global _worker_fetcher, _worker_problem, _parent_pid
    # Ctrl-C is the parent's to handle: a worker interrupted mid-wait would print a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()
    _parent_pid = os.getppid()
    try:
        _worker_fetcher = Fetcher(options, limiter=limiter)
    except ScheduleError as exc:  # named with each page this worker takes, not a traceback
        _worker_problem = exc


def _die_with_parent() -> None:
    """Linux's PR_SET_PDEATHSIG: if the crawl is killed (kill -9 included), its idle workers
    go too, instead of waiting forever on a queue their siblings keep open."""
    # Not Linux's libc? The parent check in _work_in_process still stops them at the next page.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


def _work_in_process(url: str, options: _PageOptions, robots: dict[str, str | None]):
    if os.getppid() != _parent_pid:
        os._exit(1)  # the crawl was killed: take no more pages
    if _worker_fetcher is None:
        return (
            _failure(url, _worker_problem or FetchError("worker not started")),
            os.getpid(),
            (0, 0, 0),
        )
    for host, text in robots.items():
        _worker_fetcher.preload_robots(host, text)
    return _work(_worker_fetcher, url, options)


def _work(fetcher: Fetcher, url: str, options: _PageOptions):
    """Fetch and parse one URL; returns the outcome and this worker's running counts."""
    try:
        fetched = fetcher.get(url)
        page = parse_page(
            fetched.content,
            url=url,
            year=options.year,
            conference=options.conference,
            zones=options.zones,
            tz=options.tz,
            source=url,
            fetched_at=fetched.fetched_at,
            encoding=fetched.encoding,
        )
        outcome = Outcome(url, page=page)
    except ScheduleError as exc:
        outcome = _failure(url, exc)
    except Exception as exc:  # a bug in one page must not lose the others
        outcome = _failure(url, _internal_error(exc), stage="parse")
    stats = fetcher.stats
    return outcome, os.getpid(), (stats.requests, stats.cache_hits, stats.retries)


def _internal_error(exc: Exception) -> FetchError:
    """A bug, named in one line: it fails its page (or its host), never the run."""
    return FetchError(f"internal error ({type(exc).__name__}: {exc})")


def _failure(url: str, error: Exception, stage: str | None = None) -> Outcome:
    return Outcome(
        url,
        error=Problem(
            source=url,
            stage=stage or getattr(error, "stage", "fetch"),
            severity="error",
            message=str(error),
        ),
    )
