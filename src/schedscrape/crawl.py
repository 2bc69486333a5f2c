"""One crawl of any number of conference-years: which entry each page belongs to, each
entry's counts for its summary line, what `--details` adds, and the offsets learnt from it for
pages whose times name no zone.

`--details` is feed first. Where the entry page's conference-year has a JSON feed (one
request for every paper's links, exact times and institutions), the feed is fetched before
the entry's pages (every entry naming it waits for it), and a page's event detail pages are
fetched only for the events the feed does not give in full: an exact time, a link, and an
abstract where the page shows none. A feed the site does not serve (404, 410; not cached,
offline) is passed over quietly; one that fails otherwise, or is not a feed, is a warning.
Either way, the detail pages then give what the feed would have.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from schedscrape.discover import Entry, EntryLinks, detail_pages
from schedscrape.models import Event, Problem, Talk
from schedscrape.parse.datafiles.feed import KIND as FEED_KIND
from schedscrape.scrape import Outcome, read_again
from schedscrape.wording import plural


@dataclass
class Feed:
    """A conference-year's feed, shared by every entry that names it: its events of that
    year by id once it is in (empty when it gave none), and the entries whose pages wait for
    it."""

    url: str
    year: int
    events: dict[str, Event] | None = None
    waiting: list[EntryCounts] = field(default_factory=list)


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
    feed: Feed | None = None  # its conference-year's feed, tried (--details)
    details_saved: set[str] = field(default_factory=set)  # its pages' events the feed gives

    @property
    def feed_events(self) -> dict[str, Event]:
        return (self.feed.events or {}) if self.feed else {}

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
        self._feeds: dict[str, Feed] = {}

    @property
    def entry_urls(self) -> list[str]:
        return list(self._by_entry_page)

    @property
    def feeds(self) -> list[Feed]:
        return list(self._feeds.values())

    def entry_of(self, outcome: Outcome) -> EntryCounts:
        if outcome.entry:
            return self._by_entry_page[outcome.url]
        return self._entry_of[outcome.url]

    def follow(self, outcome: Outcome) -> tuple[list[str], list[str]]:
        """The pages an outcome names (an entry page's sessions or events lists; with
        `details`, a page's event detail pages), and those of them no page of the crawl had
        named before, which now count for their entries.

        With `details`, an entry page whose conference-year may have a feed names the feed
        (if no entry named it before), and the feed's outcome, read or not, names the pages
        of every entry that waits for it.
        """
        counts = self.entry_of(outcome)
        if outcome.entry:
            counts.error = outcome.error
            found = counts.found = outcome.found
            if not (self._details and found and found.feed):
                pages = found.pages if found else []
                return pages, self._add_pages(pages, counts)
            feed = counts.feed = self._feeds.setdefault(
                found.feed, Feed(found.feed, int(found.year))
            )
            if feed.events is not None:  # in already: as if no feed were waited for
                return found.pages, self._add_pages(found.pages, counts)
            feed.waiting.append(counts)
            return [feed.url], self._claim([feed.url], counts)
        feed = self._feeds.get(outcome.url)
        if feed is not None:
            page = outcome.page if self.is_read_feed(outcome) else None
            feed.events = {
                event.event_id: event
                for event in (page.events if page else [])
                if event.year in (None, feed.year)
            }
            named: list[str] = []
            new: list[str] = []
            for waiting in sorted(feed.waiting, key=self.entries.index):  # in command order
                pages = waiting.found.pages if waiting.found else []
                named += pages
                new += self._add_pages(pages, waiting)
            feed.waiting = []
            return named, new
        if self._details and outcome.page is not None and outcome.url not in self._detail_urls:
            given = counts.feed_events
            talks = outcome.page.talks
            in_full = [talk.url for talk in talks if _in_full(given.get(talk.event_id), talk)]
            saved = detail_pages(in_full, outcome.url)
            counts.details_saved.update(saved)
            named = [url for url in detail_pages([t.url for t in talks], outcome.url)
                     if url not in saved]  # fmt: skip
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

    def entry_name(self, url: str) -> str:
        """The name of the entry a named page counts for."""
        return self._entry_of[url].entry.name

    def is_feed(self, url: str) -> bool:
        return url in self._feeds

    def is_read_feed(self, outcome: Outcome) -> bool:
        """Whether the outcome is a feed that was read as one."""
        page = outcome.page
        return self.is_feed(outcome.url) and page is not None and page.kind == FEED_KIND

    def feed_problems(self, outcome: Outcome) -> list[Problem]:
        """What to record of a feed's outcome that gave no feed, which is then set aside (a
        page at the feed's address that is not a feed is no part of the dataset): nothing
        when nothing is there (the detail pages are the way, as without a feed), else a
        warning that says why."""
        if self.is_read_feed(outcome) or outcome.absent:
            return []
        page, outcome.page, outcome.kept = outcome.page, None, None
        why = outcome.error.message if outcome.error else f"it is {_a(page.kind)}, not a feed"
        message = f"the site's feed could not be read ({why}); detail pages are fetched instead"
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
        """The outcomes, each kept page whose times name no zone read again at its offset,
        where its events are exact elsewhere (their detail pages, the feed); and a warning
        for each page read so, or left as it was because its events disagree.

        The offset is what sets the page's printed times at the moments the exact sources
        give, event by event: the page read at UTC, less those moments. So a feed that gives
        its times in UTC calibrates a page printed in the venue's zone as well as one in that
        zone. One offset per page: a daylight-saving change between its events, or an event
        moved since one of the two was made, makes them disagree, and no offset is guessed.
        """
        exact = self._exact_events(outcomes)
        learnt: list[Outcome] = []
        problems: list[Problem] = []
        for outcome in outcomes:
            known = exact.get(_group(self.entry_of(outcome)), {}) if outcome.kept else {}
            if known:
                outcome, problem = self._calibrated(outcome, known)
                problems += [problem] if problem else []
            learnt.append(outcome)
        return learnt, problems

    def _exact_events(self, outcomes: list[Outcome]) -> dict[int, dict[str, tuple[Event, str]]]:
        """By entries of one feed (or one entry), then event id: each event with a start, as
        a detail page or the feed gives it, and which of the two gave it (a detail page
        wins)."""
        exact: dict[int, dict[str, tuple[Event, str]]] = {}
        for outcome in outcomes:
            if outcome.page is None or outcome.entry:
                continue
            if self.is_read_feed(outcome):
                events = [(event, FEED) for event in self.entry_of(outcome).feed_events.values()]
            elif outcome.url in self._detail_urls:
                events = [(event, DETAIL_PAGES) for event in outcome.page.events[:1]]
            else:
                continue
            known = exact.setdefault(_group(self.entry_of(outcome)), {})
            for event, source in events:
                if event.start and (source == DETAIL_PAGES or event.event_id not in known):
                    known[event.event_id] = (event, source)
        return exact

    def _calibrated(
        self, outcome: Outcome, exact: dict[str, tuple[Event, str]]
    ) -> tuple[Outcome, Problem | None]:
        """The page read again at the one offset its exact events teach, and the warning
        that says so; or the page as it was, and why (None: none of its events is exact)."""
        talks = outcome.page.talks if outcome.page else []
        if not any(talk.event_id in exact for talk in talks):
            return outcome, None
        try:
            at_utc = read_again(outcome, "+00:00")
            offsets, sources = _offsets(at_utc.page.talks if at_utc.page else [], exact)
            if len(offsets) != 1 or not _is_offset(next(iter(offsets))):
                printed = ", ".join(
                    f"{_written(o)} ({_events(n)})" for o, n in sorted(offsets.items())
                )
                message = (
                    f"times name no zone, and {_naming(sources)} its events at different "
                    f"offsets: {printed}; left without a zone, give --tz"
                )
                return outcome, _warning(outcome.url, message)
            ((difference, events),) = offsets.items()
            offset = _written(difference)
            again = read_again(outcome, offset)
        except Exception as exc:  # it was read once already: keep that reading
            message = f"times name no zone, and reading them at another offset failed ({exc})"
            return outcome, _warning(outcome.url, message)
        self.entry_of(again).offsets_learnt += 1
        message = (
            f"times name no zone: read at {offset}, where {_naming(sources)} its events "
            f"({_events(events)})"
        )
        return again, _warning(outcome.url, message)


FEED, DETAIL_PAGES = "the site's feed", "the events' detail pages"


def _group(counts: EntryCounts) -> int:
    """Entries that share a feed are one conference-year: their exact events are shared."""
    return id(counts.feed) if counts.feed else id(counts)


def _in_full(event: Event | None, talk: Talk) -> bool:
    """Whether the feed gives what the talk's detail page would: an exact time, a link, and
    an abstract where the page shows none."""
    return (
        event is not None
        and event.start is not None
        and bool(event.openreview_url or event.paper_url)
        and bool(event.abstract or talk.abstract)
    )


def _a(kind: str | None) -> str:
    kind = kind or "page"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


_LARGEST_OFFSET = timedelta(hours=14)


def _offsets(
    talks_at_utc: list[Talk], exact: dict[str, tuple[Event, str]]
) -> tuple[Counter[timedelta], set[str]]:
    """The offsets that set a page's printed times (read as UTC) at the moments its events
    have where they are exact, with how many events teach each, and where they were found."""
    offsets: Counter[timedelta] = Counter()
    sources: set[str] = set()
    for talk in talks_at_utc:
        event, source = exact.get(talk.event_id, (None, ""))
        if event is not None and event.start and talk.start:
            offsets[talk.start - event.start] += 1
            sources.add(source)
    return offsets, sources


def _written(offset: timedelta) -> str:
    """-3 h as "-03:00"; a difference that is no whole minute shows its seconds."""
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    written = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return written + (f":{seconds:02d}" if seconds else "")


def _is_offset(difference: timedelta) -> bool:
    """A UTC offset a zone can have: at most 14 hours, in quarter hours."""
    return abs(difference) <= _LARGEST_OFFSET and not difference % timedelta(minutes=15)


def _naming(sources: set[str]) -> str:
    """`the site's feed places`, `the site's feed and the events' detail pages place`."""
    named = " and ".join(source for source in (FEED, DETAIL_PAGES) if source in sources)
    return named + (" places" if len(sources) == 1 and FEED in sources else " place")


def _events(count: int) -> str:
    return plural(count, "event")


def _warning(source: str, message: str) -> Problem:
    return Problem(source=source, stage="time", severity="warning", message=message)
