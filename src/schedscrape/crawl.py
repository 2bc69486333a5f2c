"""One crawl of any number of conference-years: which entry each page belongs to, each
entry's counts for its summary line, what `--details` adds, and the offsets learnt from it for
pages whose times name no zone.

`--details` is feed first. Where the entry page's conference-year has a JSON feed (one
request for every paper's links, exact times and institutions), the feed is fetched before
the entry's pages, and a page's event detail pages are fetched only for the events the feed
lacks. A feed the site does not serve (404, 410) is passed over quietly; one that fails
otherwise is a warning. Either way, the detail pages then give what the feed would have.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from schedscrape.discover import Entry, EntryLinks, detail_pages
from schedscrape.models import Event, Problem, Talk
from schedscrape.scrape import Outcome, read_again
from schedscrape.wording import plural

_ABSENT = (404, 410)  # what a site that serves no feed answers


@dataclass
class EntryCounts:
    """What one entry gave, for its summary line."""

    entry: Entry
    found: EntryLinks | None = None  # what its entry page links
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
    # The feed tried (--details), the events it gave by id, and the detail pages of events
    # on the entry's pages that it made unnecessary.
    feed: str | None = None
    feed_events: dict[str, Event] = field(default_factory=dict)
    details_saved: set[str] = field(default_factory=set)
    waiting: list[str] = field(default_factory=list)  # its pages, named once the feed is in

    @property
    def kind(self) -> str | None:
        """Of the pages its entry page links."""
        return self.found.kind if self.found else None

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

        With `details`, an entry page whose conference-year may have a feed names the feed
        alone, and the feed's outcome (read, absent or failed) names the entry's pages.
        """
        counts = self.entry_of(outcome)
        if outcome.entry:
            counts.error = outcome.error
            found = counts.found = outcome.found
            pages = found.pages if found else []
            if self._details and found and found.feed and found.feed not in self._entry_of:
                counts.feed, counts.waiting = found.feed, pages
                return [found.feed], self._claim([found.feed], counts)
            return pages, self._add_pages(pages, counts)
        if outcome.url == counts.feed:
            if outcome.page is not None:
                counts.feed_events = {event.event_id: event for event in outcome.page.events}
            pages, counts.waiting = counts.waiting, []
            return pages, self._add_pages(pages, counts)
        if self._details and outcome.page is not None and outcome.url not in self._detail_urls:
            talks = outcome.page.talks
            in_feed = [talk.url for talk in talks if talk.event_id in counts.feed_events]
            counts.details_saved.update(detail_pages(in_feed, outcome.url))
            lacking = [talk.url for talk in talks if talk.event_id not in counts.feed_events]
            named = detail_pages(lacking, outcome.url)
            new = self._claim(named, counts)
            counts.details_on[outcome.url] = new
            self._detail_urls.update(new)
            return named, new
        return [], []

    def conference_of(self, url: str) -> str | None:
        """The conference of the entry a page belongs to, as its entry page names it."""
        counts = self._entry_of.get(url)
        found = counts.found if counts else None
        return found.conference if found else None

    def is_feed(self, url: str) -> bool:
        counts = self._entry_of.get(url)
        return counts is not None and counts.feed == url

    def feed_problem(self, outcome: Outcome) -> list[Problem]:
        """What to record of a feed that gave nothing: nothing when the site serves none (the
        detail pages are the way, as without a feed), else a warning that says why."""
        if outcome.error is None or outcome.status in _ABSENT:
            return []
        message = (
            f"the site's feed could not be read ({outcome.error.message}); "
            "detail pages are fetched instead"
        )
        return [Problem(source=outcome.url, stage="feed", severity="warning", message=message)]

    def _add_pages(self, pages: list[str], counts: EntryCounts) -> list[str]:
        new = self._claim(pages, counts)
        counts.pages += new
        return new

    def count(self, outcome: Outcome) -> None:
        """Count a page's outcome for its entry (an entry page's is its error, if any; a
        feed's is the events it gave)."""
        if outcome.entry or self.is_feed(outcome.url):
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
        its events have where they are exact (their detail pages, the feed), where they have
        one; and a warning for each page read so, or left as it was because they disagree.

        One offset per page: an exact source's offset at its event's date. A daylight-saving
        change between its events would make them disagree, and no offset is guessed.
        """
        exact = self._exact_events(outcomes)
        learnt: list[Outcome] = []
        problems: list[Problem] = []
        for outcome in outcomes:
            known = exact.get(id(self.entry_of(outcome)), {})
            offsets, sources = _offsets(outcome, known)
            if len(offsets) == 1:
                offset, events = next(iter(offsets.items()))
                outcome, problem = self._read_at(outcome, offset, events, sources, known)
                problems.append(problem)
            elif offsets:
                printed = ", ".join(f"{o} ({_events(n)})" for o, n in sorted(offsets.items()))
                problems.append(
                    _warning(
                        outcome.url,
                        f"times name no zone, and {_naming(sources)} different offsets: "
                        f"{printed}; left without a zone, give --tz",
                    )
                )
            learnt.append(outcome)
        return learnt, problems

    def _exact_events(self, outcomes: list[Outcome]) -> dict[int, dict[str, tuple[Event, str]]]:
        """By entry, then event id: each event as a detail page or the feed gives it, and
        which of the two gave it (a detail page wins)."""
        exact: dict[int, dict[str, tuple[Event, str]]] = {}
        for outcome in outcomes:
            if outcome.page is None or outcome.entry:
                continue
            if self.is_feed(outcome.url):
                events = [(event, FEED) for event in outcome.page.events]
            elif outcome.url in self._detail_urls:
                events = [(event, DETAIL_PAGES) for event in outcome.page.events[:1]]
            else:
                continue
            known = exact.setdefault(id(self.entry_of(outcome)), {})
            for event, source in events:
                if source == DETAIL_PAGES or event.event_id not in known:
                    known[event.event_id] = (event, source)
        return exact

    def _read_at(
        self,
        outcome: Outcome,
        offset: str,
        events: int,
        sources: set[str],
        exact: dict[str, tuple[Event, str]],
    ) -> tuple[Outcome, Problem]:
        """The page read again at `offset`, and the warning that says so; the page as it was
        if its events then start at other moments than where they are exact. A feed may
        print its times in another zone than the page's (UTC, say): its offset is then not
        the page's, and no offset is learnt from it."""
        try:
            again = read_again(outcome, offset)
        except Exception as exc:  # it was read once already: keep that reading
            message = f"times name no zone, and reading them at {offset} failed ({exc})"
            return outcome, _warning(outcome.url, message)
        moved = _moved(again.page.talks if again.page else [], exact)
        if moved:
            event_id, here, there = moved[0]
            message = (
                f"times name no zone, and at {offset}, the offset {_naming(sources)}, "
                f"{len(moved)} of its {_events(events)} would start at other times than "
                f"there (event {event_id}: {here:%Y-%m-%d %H:%M} here, {there.isoformat()} "
                "there); left without a zone, give --tz"
            )
            return outcome, _warning(outcome.url, message)
        self.entry_of(again).offsets_learnt += 1
        message = (
            f"times name no zone: read at {offset}, the offset {_naming(sources)} "
            f"({_events(events)})"
        )
        return again, _warning(outcome.url, message)


FEED, DETAIL_PAGES = "the site's feed", "the events' detail pages"


def _offsets(
    outcome: Outcome, exact: dict[str, tuple[Event, str]]
) -> tuple[Counter[str], set[str]]:
    """The offsets a kept page's events have where they are exact, with how many have each,
    and where they were found."""
    offsets: Counter[str] = Counter()
    sources: set[str] = set()
    for talk in outcome.page.talks if outcome.kept and outcome.page else []:
        event, source = exact.get(talk.event_id, (None, ""))
        if event is not None and event.utc_offset:
            offsets[event.utc_offset] += 1
            sources.add(source)
    return offsets, sources


def _moved(
    talks: list[Talk], exact: dict[str, tuple[Event, str]]
) -> list[tuple[str, datetime, datetime]]:
    """The talks that start at another moment than their events where those are exact: the
    event id, and the two starts."""
    moved = []
    for talk in talks:
        event, _source = exact.get(talk.event_id, (None, ""))
        if event is not None and event.start and talk.start and talk.start != event.start:
            moved.append((talk.event_id, talk.start, event.start))
    return moved


def _naming(sources: set[str]) -> str:
    """`the site's feed gives`, `the site's feed and the events' detail pages give`."""
    named = " and ".join(source for source in (FEED, DETAIL_PAGES) if source in sources)
    return named + (" gives" if sources == {FEED} else " give")


def _events(count: int) -> str:
    return plural(count, "event")


def _warning(source: str, message: str) -> Problem:
    return Problem(source=source, stage="time", severity="warning", message=message)
