"""Fetch and parse many pages at once, from one host or many.

Workers each take a URL, fetch it politely and parse it. At most `concurrency` of them have a
request in flight: the rest are parsing, so a page being parsed never holds up the next
request to the site. URLs go to the workers host by host in turn, and no host gets more than
its share of them: a host that must be waited for (its rate, a Crawl-delay) never keeps the
workers from the others, so hosts are crawled in parallel, each at its own rate.

On Linux with more than one CPU the workers are forked processes: fetching (requests, the
SQLite cache) and parsing then use every core instead of contending for one GIL. They share
one rate limit and in-flight count in shared memory, and one on-disk cache. Elsewhere, with
one CPU, or above 16 concurrent requests, they are threads sharing one Fetcher.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from schedscrape.discover import EntryLinks, pages_to_crawl
from schedscrape.errors import ScheduleError
from schedscrape.fetch import (
    Fetcher,
    FetchError,
    FetchOptions,
    Page,
    RateLimiter,
    SharedRateLimiter,
    prepare_cache,
)
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, parse_page
from schedscrape.parse.times import MissingZone

MAX_PROCESSES = 16  # above this --concurrency, workers are threads


@dataclass(frozen=True)
class _PageOptions:
    """What the user says about every page (parse_page's options), as sent to the workers."""

    year: int | None
    conference: str | None
    zones: dict[str, str]
    tz: str | None = None
    keep_zoneless: bool = False  # keep the bytes of pages whose times name no zone


@dataclass
class Outcome:
    """One URL's result: a parsed page, or the error that stopped it. For an entry page (a
    calendar), `found` instead: the kind of pages it links and their URLs."""

    url: str
    page: ParsedPage | None = None
    error: Problem | None = None
    entry: bool = False
    found: EntryLinks | None = None
    absent: bool = False  # its error says nothing is there (404, 410; --offline: not cached)
    # A page whose times name no zone, as fetched, with how it was parsed (keep_zoneless):
    # to be read again once its offset is known (`read_again`).
    kept: tuple[Page, _PageOptions] | None = field(default=None, repr=False)

    @property
    def zoneless(self) -> bool:
        """The page's times name no zone, and no --tz gave one."""
        return self.page is not None and any(
            problem.stage == "time" and problem.message.startswith(MissingZone.problem)
            for problem in self.page.problems
        )


def read_again(outcome: Outcome, tz: str) -> Outcome:
    """A kept page parsed again, its zone-less times read at `tz` (such as "-03:00")."""
    if outcome.kept is None:
        raise ValueError(f"{outcome.url} was not kept to be read again")
    fetched, options = outcome.kept
    return _parsed(fetched, outcome.url, replace(options, tz=tz, keep_zoneless=False))


@dataclass
class ScrapeStats:
    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    by_worker: dict[int, tuple[int, int, int]] = field(default_factory=dict, repr=False)


class Scraper:
    """`with Scraper(options) as scraper:` then `scrape()`, of pages and entry pages."""

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
        workers = self._workers = options.concurrency + min(cpus, options.concurrency)
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
            # later). Their start-up then overlaps with the robots.txt fetches.
            self._pool.submit(int)
        else:
            self._limiter = RateLimiter(interval, options.concurrency)
            self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
        self.fetcher = Fetcher(options, limiter=self._limiter)
        # The parent's own fetches (robots.txt, host by host) run here, never in the workers.
        self._helpers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="robots")
        self._robots_needed = options.obey_robots and not options.offline
        self.stats = ScrapeStats()

    def __enter__(self) -> Scraper:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        self.close(wait=exc_type is not KeyboardInterrupt)

    def close(self, wait: bool = True) -> None:
        """Stop the workers; after Ctrl-C, without waiting for pages in flight."""
        self._pool.shutdown(wait=wait, cancel_futures=True)
        self._helpers.shutdown(wait=wait, cancel_futures=True)
        self.fetcher.close()

    def scrape(
        self,
        urls: list[str],
        *,
        entries: list[str] | None = None,
        year: int | None = None,
        conference: str | None = None,
        zones: dict[str, str] | None = None,
        tz: str | None = None,
        keep_zoneless: bool = False,
        on_outcome: Callable[[Outcome], None] | None = None,
        follow: Callable[[Outcome], Iterable[str]] | None = None,
        conference_of: Callable[[str], str | None] | None = None,
    ) -> list[Outcome]:
        """Every outcome: of the `entries` (pages that list the pages to crawl, read by
        `pages_to_crawl`) and the URLs, in the order given (duplicates once), then of the URLs
        `follow` names on an outcome (fetched as soon as it names them) in the order of the
        outcomes that named them. `year`, `conference`, `zones` and `tz` are passed to
        `parse_page` for every page; with
        `keep_zoneless`, a page whose times name no zone keeps its bytes (`read_again`)."""
        given = list(
            dict.fromkeys(
                [*((url, True) for url in entries or []), *((url, False) for url in urls)]
            )
        )
        seen = set(given)
        named: dict[_Task, list[_Task]] = {}  # the pages each outcome named

        def more(outcome: Outcome) -> list[_Task]:
            """The pages `follow` names on the outcome that are new, in the order named."""
            found = follow(outcome) if follow is not None else []
            named[outcome.url, outcome.entry] = list(dict.fromkeys((url, False) for url in found))
            new = [task for task in named[outcome.url, outcome.entry] if task not in seen]
            seen.update(new)
            return new

        outcomes: dict[_Task, Outcome] = {}
        options = _PageOptions(year, conference, zones or {}, tz, keep_zoneless)

        def options_for(url: str) -> _PageOptions:
            named = conference_of(url) if conference_of is not None else None
            return replace(options, conference=named) if named else options

        for outcome in self._run(given, options_for, more):
            outcomes[outcome.url, outcome.entry] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
        self._total_stats()
        # In the order given, then what those named in their order, and so on: the same
        # whichever page was fetched first.
        order = dict.fromkeys(given)
        level = given
        while level:
            level = [
                task for parent in level for task in named.get(parent, []) if task not in order
            ]
            order.update(dict.fromkeys(level))
        return [outcomes[task] for task in order]

    def _run(
        self,
        tasks: list[_Task],
        options_for: Callable[[str], _PageOptions],
        more: Callable[[Outcome], list[_Task]],
    ) -> Iterator[Outcome]:
        turns = _Turns(self._workers)
        pending: dict[Future, _Task] = {}
        robots: dict[str, str | None] = {}
        blocked: dict[str, Exception] = {}
        loading: dict[Future, str] = {}  # robots.txt being fetched, by host

        def add(new: list[_Task]) -> None:
            turns.add(new)
            for url, _entry in new:
                host = urlsplit(url).netloc
                known = host in robots or host in blocked or host in loading.values()
                if self._robots_needed and not known:
                    turns.hold(host)  # its pages wait for its rules
                    loading[self._helpers.submit(self.fetcher.robots_txt, url)] = host

        add(tasks)
        while True:
            for url, entry in turns.ready():
                host = urlsplit(url).netloc
                if host in blocked:
                    turns.done(url)
                    yield _failure(url, blocked[host], entry=entry)
                elif self._processes:
                    options = options_for(url)
                    future = self._pool.submit(_work_in_process, url, entry, options, robots)
                    pending[future] = (url, entry)
                else:
                    future = self._pool.submit(_work, self.fetcher, url, entry, options_for(url))
                    pending[future] = (url, entry)
            if not pending and not loading:
                return
            finished, _ = wait([*pending, *loading], return_when=FIRST_COMPLETED)
            for future in finished:
                if future in loading:
                    host = loading.pop(future)
                    try:
                        robots[host] = future.result()
                    except ScheduleError as exc:
                        blocked[host] = exc
                    except Exception as exc:  # a bug on one host must not lose the others
                        blocked[host] = _internal_error(exc)
                    turns.release(host)
                    continue
                url, entry = pending.pop(future)
                turns.done(url)
                try:
                    outcome, worker, counts = future.result()
                except Exception as exc:  # a worker died: report, keep going
                    error = FetchError(f"worker failed ({type(exc).__name__})")
                    outcome = _failure(url, error, entry=entry)
                else:
                    self.stats.by_worker[worker] = counts
                yield outcome
                add(more(outcome))

    def _total_stats(self) -> None:
        own = self.fetcher.stats
        counts = [(own.requests, own.cache_hits, own.retries)]
        if self._processes:  # thread workers share the parent's fetcher, counted above
            counts += self.stats.by_worker.values()
        self.stats.requests = sum(c[0] for c in counts)
        self.stats.cache_hits = sum(c[1] for c in counts)
        self.stats.retries = sum(c[2] for c in counts)


_Task = tuple[str, bool]  # a URL, and whether it is an entry page


class _Turns:
    """Tasks waiting for a worker, by host. Hosts take turns, and none holds more than its
    share of the workers: one that must be waited for keeps the others' pages moving. A host
    on hold (its robots.txt not read yet) gets none. A host alone may have as many tasks
    again queued: none to hold up, and its workers never wait for the next one."""

    def __init__(self, workers: int) -> None:
        self._workers = workers
        self._waiting: dict[str, deque[_Task]] = {}
        self._busy: Counter[str] = Counter()
        self._held: set[str] = set()

    def add(self, tasks: Iterable[_Task]) -> None:
        for task in tasks:
            self._waiting.setdefault(urlsplit(task[0]).netloc, deque()).append(task)

    def hold(self, host: str) -> None:
        self._held.add(host)

    def release(self, host: str) -> None:
        self._held.discard(host)

    def done(self, url: str) -> None:
        self._busy[urlsplit(url).netloc] -= 1

    def ready(self) -> Iterator[_Task]:
        """The tasks that may go to a worker now, each counted busy until `done`."""
        while True:
            active = {host for host, tasks in self._waiting.items() if tasks} | {
                host for host, count in self._busy.items() if count
            }
            places = self._workers * (2 if len(active) == 1 else 1)
            share = max(1, places // max(len(active), 1))
            host = next(
                (
                    host
                    for host, tasks in self._waiting.items()
                    if tasks and self._busy[host] < share and host not in self._held
                ),
                None,
            )
            if host is None or self._busy.total() >= places:
                return
            self._waiting[host] = self._waiting.pop(host)  # its turn taken: to the back
            self._busy[host] += 1
            yield self._waiting[host].popleft()


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


def _work_in_process(url: str, entry: bool, options: _PageOptions, robots: dict[str, str | None]):
    if os.getppid() != _parent_pid:
        os._exit(1)  # the crawl was killed: take no more pages
    if _worker_fetcher is None:
        return (
            _failure(url, _worker_problem or FetchError("worker not started"), entry=entry),
            os.getpid(),
            (0, 0, 0),
        )
    for host, text in robots.items():
        _worker_fetcher.preload_robots(host, text)
    return _work(_worker_fetcher, url, entry, options)


def _work(fetcher: Fetcher, url: str, entry: bool, options: _PageOptions):
    """Fetch and read one URL (an entry page, or a page to parse); returns the outcome and
    this worker's running counts."""
    try:
        fetched = fetcher.get(url)
        if entry:
            found = pages_to_crawl(fetched.content, fetched.url)
            return _counted(fetcher, Outcome(url, entry=True, found=found))
        outcome = _parsed(fetched, url, options)
    except ScheduleError as exc:
        outcome = _failure(url, exc, entry=entry)
    except Exception as exc:  # a bug in one page must not lose the others
        outcome = _failure(url, _internal_error(exc), stage="parse", entry=entry)
    return _counted(fetcher, outcome)


def _parsed(fetched: Page, url: str, options: _PageOptions) -> Outcome:
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
    if options.keep_zoneless and outcome.zoneless:
        outcome.kept = (fetched, options)
    return outcome


def _counted(fetcher: Fetcher, outcome: Outcome):
    """The outcome, with this worker's id and running counts."""
    stats = fetcher.stats
    return outcome, os.getpid(), (stats.requests, stats.cache_hits, stats.retries)


def _internal_error(exc: Exception) -> FetchError:
    """A bug, named in one line: it fails its page (or its host), never the run."""
    return FetchError(f"internal error ({type(exc).__name__}: {exc})")


def _failure(url: str, error: Exception, stage: str | None = None, entry: bool = False) -> Outcome:
    return Outcome(
        url,
        entry=entry,
        absent=getattr(error, "absent", False),
        error=Problem(
            source=url,
            stage=stage or getattr(error, "stage", "fetch"),
            severity="error",
            message=str(error),
        ),
    )
