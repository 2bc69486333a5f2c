"""One crawl of any number of conference-years: which entry each page belongs to, each
entry's counts for its summary line, and the event detail pages `--details` adds."""

from __future__ import annotations

from dataclasses import dataclass, field

from schedscrape.discover import Entry, detail_pages
from schedscrape.models import Problem
from schedscrape.scrape import Outcome


@dataclass
class EntryCounts:
    """What one entry gave, for its summary line."""

    entry: Entry
    kind: str | None = None  # of the pages its entry page links
    error: Problem | None = None  # why its entry page gave none
    # Its pages (each URL is the first entry's that links it), and the event detail pages
    # --details finds on them.
    pages: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)
    ok: int = 0
    failed: int = 0
    details_ok: int = 0
    details_failed: int = 0


class Crawl:
    """The pages of every entry, and (with `details`) the detail pages found on them."""

    def __init__(self, entries: list[Entry], details: bool = False) -> None:
        self.entries = [EntryCounts(entry) for entry in entries]
        self._details = details
        self._by_entry_page = {counts.entry.url: counts for counts in self.entries}
        self._entry_of: dict[str, EntryCounts] = {}
        self._detail_urls: set[str] = set()

    @property
    def entry_urls(self) -> list[str]:
        return list(self._by_entry_page)

    def entry_of(self, outcome: Outcome) -> EntryCounts:
        if outcome.entry:
            return self._by_entry_page[outcome.url]
        return self._entry_of[outcome.url]

    def follow(self, outcome: Outcome) -> list[str]:
        """The pages an outcome names that no page of the crawl has named yet: an entry
        page's sessions or events lists; with `details`, a page's event detail pages.

        Issue 11 will take per-paper facts from the site's JSON feed first, where it has one,
        and fetch detail pages only for what the feed lacks: that choice belongs here.
        """
        counts = self.entry_of(outcome)
        if outcome.entry:
            counts.error = outcome.error
            counts.kind, found = outcome.found or (None, [])
            new = self._claim(found, counts)
            counts.pages += new
        elif self._details and outcome.page is not None and outcome.url not in self._detail_urls:
            new = self._claim(
                detail_pages([t.url for t in outcome.page.talks], outcome.url), counts
            )
            counts.details += new
            self._detail_urls.update(new)
        else:
            new = []
        return new

    def count(self, outcome: Outcome) -> None:
        """Count a page's outcome for its entry (an entry page's is its error, if any)."""
        if outcome.entry:
            return
        counts = self._entry_of[outcome.url]
        page = outcome.page
        good = page is not None and not any(p.severity == "error" for p in page.problems)
        if outcome.url in self._detail_urls:
            counts.details_ok += good
            counts.details_failed += not good
        else:
            counts.ok += good
            counts.failed += not good

    def _claim(self, urls: list[str], counts: EntryCounts) -> list[str]:
        new = [url for url in urls if url not in self._entry_of]
        self._entry_of.update(dict.fromkeys(new, counts))
        return new
