"""Fetch session pages concurrently and parse each as it arrives.

Workers in a thread pool do the network waiting; the calling thread parses finished pages
meanwhile, so parsing overlaps with fetching instead of following it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from schedscrape.errors import ScheduleError
from schedscrape.fetch import Fetcher
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, parse_page


@dataclass
class Outcome:
    """One URL's result: a parsed page, or the error that stopped it."""

    url: str
    page: ParsedPage | None = None
    error: Problem | None = None


def scrape(
    urls: list[str],
    fetcher: Fetcher,
    *,
    year: int | None = None,
    conference: str | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Every URL's outcome, in the order the URLs were given."""
    by_url = {
        outcome.url: outcome for outcome in _outcomes(urls, fetcher, year, conference, on_outcome)
    }
    return [by_url[url] for url in dict.fromkeys(urls)]


def _outcomes(urls, fetcher, year, conference, on_outcome) -> Iterator[Outcome]:
    pool = ThreadPoolExecutor(max_workers=fetcher.options.concurrency, thread_name_prefix="fetch")
    try:
        pending: dict[Future, str] = {
            pool.submit(fetcher.get, url): url for url in dict.fromkeys(urls)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                url = pending.pop(future)
                outcome = _parse(url, future, year, conference)
                if on_outcome is not None:
                    on_outcome(outcome)
                yield outcome
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _parse(url: str, future: Future, year: int | None, conference: str | None) -> Outcome:
    try:
        fetched = future.result()
        page = parse_page(
            fetched.content,
            url=url,
            year=year,
            conference=conference,
            source=url,
            fetched_at=fetched.fetched_at,
            encoding=fetched.encoding,
        )
    except ScheduleError as exc:
        return Outcome(
            url, error=Problem(source=url, stage=exc.stage, severity="error", message=str(exc))
        )
    except Exception as exc:  # a bug in one page must not lose the others
        return Outcome(
            url,
            error=Problem(
                source=url,
                stage="parse",
                severity="error",
                message=f"internal error ({type(exc).__name__}: {exc})",
            ),
        )
    return Outcome(url, page=page)
