"""One crawl of any number of conference-years: which entry each page belongs to, each
entry's counts for its summary line, the event detail pages `--details` adds, and the
offsets learnt from them for pages whose times name no zone."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from schedscrape.discover import Entry, detail_pages
from schedscrape.models import Event, Problem
from schedscrape.scrape import Outcome, read_again


@dataclass
class EntryCounts:
    """What one entry gave, for its summary line."""

    entry: Entry
    kind: str | None = None  # of the pages its entry page links
    error: Problem | None = None  # why its entry page gave none
    # Its pages (each URL is the first entry's that links it), and the event detail pages
    # --details finds on each of them (each the first page's that names it).
    pages: list[str] = field(default_factory=list)
    details_on: dict[str, list[str]] = field(default_factory=dict)
    ok: int = 0
    failed: int = 0
    details_ok: int = 0
    details_failed: int = 0
    offsets_learnt: int = 0

    @property
    def details(self) -> list[str]:
        """Its detail pages, in the order of the pages that name them."""
        return [url for page in self.pages for url in self.details_on.get(page, [])]


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

    def follow(self, outcome: Outcome) -> tuple[list[str], list[str]]:
        """The pages an outcome names (an entry page's sessions or events lists; with
        `details`, a page's event detail pages), and those of them no page of the crawl had
        named before, which now count for the outcome's entry.

        Issue 11 will take per-paper facts from the site's JSON feed first, where it has one,
        and fetch detail pages only for what the feed lacks: that choice belongs here.
        """
        counts = self.entry_of(outcome)
        named: list[str] = []
        new: list[str] = []
        if outcome.entry:
            counts.error = outcome.error
            counts.kind, named = outcome.found or (None, [])
            new = self._claim(named, counts)
            counts.pages += new
        elif self._details and outcome.page is not None and outcome.url not in self._detail_urls:
            named = detail_pages([talk.url for talk in outcome.page.talks], outcome.url)
            new = self._claim(named, counts)
            counts.details_on[outcome.url] = new
            self._detail_urls.update(new)
        return named, new

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

    def learn_offsets(self, outcomes: list[Outcome]) -> tuple[list[Outcome], list[Problem]]:
        """The outcomes, each kept page whose times name no zone read again at the offset
        the detail pages of its events print, where they print one; and a warning for each
        page read so, or left as it was because its detail pages disagree.

        One offset per page: the detail page's offset at its event's date. A daylight-saving
        change between its events would make them disagree, and no offset is guessed.
        """
        details = {
            outcome.url: outcome.page.events[0]
            for outcome in outcomes
            if outcome.url in self._detail_urls and outcome.page and outcome.page.events
        }
        learnt: list[Outcome] = []
        problems: list[Problem] = []
        for outcome in outcomes:
            offsets = _offsets(outcome, details) if outcome.kept else Counter()
            if len(offsets) == 1:
                outcome, problem = self._read_at(outcome, *next(iter(offsets.items())))
                problems.append(problem)
            elif offsets:
                printed = ", ".join(f"{o} ({_events(n)})" for o, n in sorted(offsets.items()))
                problems.append(
                    _warning(
                        outcome.url,
                        "times name no zone, and the detail pages of its events print "
                        f"different offsets: {printed}; left without a zone, give --tz",
                    )
                )
            learnt.append(outcome)
        return learnt, problems

    def _read_at(self, outcome: Outcome, offset: str, events: int) -> tuple[Outcome, Problem]:
        """The page read again at `offset`, and the warning that says so."""
        try:
            again = read_again(outcome, offset)
        except Exception as exc:  # it was read once already: keep that reading
            message = f"times name no zone, and reading them at {offset} failed ({exc})"
            return outcome, _warning(outcome.url, message)
        self.entry_of(again).offsets_learnt += 1
        message = (
            f"times name no zone: read at {offset}, the offset the detail pages of its events "
            f"print ({_events(events)})"
        )
        return again, _warning(outcome.url, message)


def _offsets(outcome: Outcome, details: dict[str, Event]) -> Counter[str]:
    """The offsets the detail pages of the page's events print, with how many print each."""
    offsets: Counter[str] = Counter()
    for talk in outcome.page.talks if outcome.page else []:
        urls = detail_pages([talk.url], outcome.url)
        event = details.get(urls[0]) if urls else None
        if event is not None and event.event_id == talk.event_id and event.utc_offset:
            offsets[event.utc_offset] += 1
    return offsets


def _events(count: int) -> str:
    return f"{count} event{'' if count == 1 else 's'}"


def _warning(source: str, message: str) -> Problem:
    return Problem(source=source, stage="time", severity="warning", message=message)
