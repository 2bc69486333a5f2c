"""Fetch session pages concurrently and parse each as it arrives.

Threads do the network waiting; parsing runs in worker processes, so it uses the other cores
and overlaps with fetching instead of following it (or fighting the fetch threads for the GIL).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from dataclasses import dataclass

from schedscrape.errors import ScheduleError
from schedscrape.fetch import Fetcher, Page
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, parse_page


@dataclass
class Outcome:
    """One URL's result: a parsed page, or the error that stopped it."""

    url: str
    page: ParsedPage | None = None
    error: Problem | None = None


@contextlib.contextmanager
def parser_pool(workers: int | None = None) -> Iterator[Executor]:
    """Worker processes for parsing, forked now, while this process has no other thread.

    Forking before any fetch thread exists keeps the workers clean of the parent's locks, and
    needs no re-import of `__main__`. Where fork is not the safe default (macOS, Windows) or
    there is one CPU, a thread parses instead.
    """
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
    if workers < 2 or not sys.platform.startswith("linux"):
        executor: Executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse")
    else:
        context = multiprocessing.get_context("fork")
        executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        executor.submit(int).result()  # fork every worker now, before any thread starts
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def scrape(
    urls: list[str],
    fetcher: Fetcher,
    parsers: Executor,
    *,
    year: int | None = None,
    conference: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Every URL's outcome, in the order the URLs were given (duplicates once)."""
    unique = list(dict.fromkeys(urls))
    by_url = {}
    for outcome in _outcomes(unique, fetcher, parsers, year, conference):
        by_url[outcome.url] = outcome
        if on_outcome is not None:
            on_outcome(outcome)
    return [by_url[url] for url in unique]


def _outcomes(
    urls: list[str], fetcher: Fetcher, parsers: Executor, year: int | None, conference: str | None
) -> Iterator[Outcome]:
    fetch_pool = ThreadPoolExecutor(
        max_workers=fetcher.options.concurrency, thread_name_prefix="fetch"
    )
    try:
        fetching: dict[Future, str] = {fetch_pool.submit(fetcher.get, url): url for url in urls}
        parsing: dict[Future, str] = {}
        while fetching or parsing:
            done, _ = wait([*fetching, *parsing], return_when=FIRST_COMPLETED)
            for future in done:
                if future in fetching:
                    url = fetching.pop(future)
                    try:
                        page = future.result()
                    except ScheduleError as exc:
                        yield _failure(url, exc.stage, str(exc))
                        continue
                    parsing[parsers.submit(parse_fetched, url, page, year, conference)] = url
                else:
                    yield _parsed(parsing.pop(future), future)
    finally:
        fetch_pool.shutdown(wait=True, cancel_futures=True)


def parse_fetched(url: str, page: Page, year: int | None, conference: str | None) -> ParsedPage:
    """Runs in a worker process: module-level, so it can be pickled."""
    return parse_page(
        page.content,
        url=url,
        year=year,
        conference=conference,
        source=url,
        fetched_at=page.fetched_at,
        encoding=page.encoding,
    )


def _parsed(url: str, future: Future) -> Outcome:
    try:
        return Outcome(url, page=future.result())
    except ScheduleError as exc:
        return _failure(url, exc.stage, str(exc))
    except Exception as exc:  # a bug in one page must not lose the others
        return _failure(url, "parse", f"internal error ({type(exc).__name__}: {exc})")


def _failure(url: str, stage: str, message: str) -> Outcome:
    return Outcome(url, error=Problem(source=url, stage=stage, severity="error", message=message))
