"""Turn a RawPage into validated Session, Talk and Event records: the text, time and author rules
of the contract live here, once, for every reader (session pages, lists, detail pages, text).

A session page or a text rendering gives its session and talks; a page that lists events
without being a session (an events list, a list page, a schedule) gives a Session row for
itself, with the kind of page as its `session_type`; an event detail page gives no session and
no talk, only its event. Every card with an event id also gives an Event."""

from __future__ import annotations

import hashlib
import operator
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from functools import cached_property, lru_cache
from urllib.parse import parse_qsl, urljoin, urlsplit

from pydantic import TypeAdapter, ValidationError

from schedscrape.errors import InvalidRecord, NotASessionPage, TruncatedPage
from schedscrape.links import page_link
from schedscrape.models import Event, Problem, Session, Talk
from schedscrape.parse.authors import split_authors, split_moderators
from schedscrape.parse.conferences import canonical_name, conference_of_url, host_of, is_known
from schedscrape.parse.latex import clean_text
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.textutil import normalize_space
from schedscrape.parse.times import (
    MissingContext,
    TimeParseError,
    TimeRange,
    explicit_year,
    infer_year,
    parse_time_range,
    utc_offset,
)
from schedscrape.wording import plural

PARSER_VERSION = "3"  # bumped when parsing rules change the output

_URL_YEAR = re.compile(r"/(?:virtual|Conferences)/((?:19|20)\d{2})(?:/|$)", re.IGNORECASE)
_URL_SESSION_ID = re.compile(r"/session/(\d+)")
_SITE_LABEL = re.compile(r"\b([A-Za-z]+)\s+((?:19|20)\d{2})\b")
_NOT_IN_LIST_IDS = frozenset(["virtual", "conferences"])  # path words every list page shares
_label = lru_cache(maxsize=1024)(normalize_space)  # types, rooms and slots repeat per card

DETAIL_PAGE = "detail page"
SESSION_KINDS = frozenset(["session page", "text rendering"])  # other kinds list events
LINK_FIELDS = ("openreview_url", "paper_url", "poster_url", "project_url")
_LINK_VALUES = operator.attrgetter(*LINK_FIELDS)
# What an Event takes from its card's talk fields (the rest: session_ids, links, sources).
_EVENT_FROM_TALK = (
    "event_id",
    "conference",
    "year",
    "url",
    "event_type",
    "title",
    "title_raw",
    "authors",
    "abstract",
    "abstract_raw",
    "start",
    "end",
    "timezone",
    "utc_offset",
    "room",
    "poster_position",
)


class _LazyEvents:
    """`ParsedPage.events`, built from the talks when first read (a dataclass field whose
    default is this descriptor: `ParsedPage(..., events=[...])` still sets them). A session
    page's events repeat what its talks hold: validating them at once would cost each page
    (and each crawl worker, which also sends every record to the parent) a second round."""

    def __get__(self, page: ParsedPage | None, owner: type | None = None):
        if page is None:
            return None  # the field's default
        if page._events is None:
            page._events = page._talks_events()
        return page._events

    def __set__(self, page: ParsedPage, events: list[Event] | None) -> None:
        page._events = events


@dataclass
class ParsedPage:
    """What `parse_page` returns: the page's session (None for an event detail page, an
    export, and a feed, which gives several: `.sessions`), its talks in page order, one event
    per card with an event id, which kind of page it was ("session page", "events list",
    "list page", "schedule", "detail page", "text rendering", "feed", "export"), and any
    problems."""

    session: Session | None
    talks: list[Talk]
    kind: str = "session page"
    problems: list[Problem] = field(default_factory=list)
    # None: the events are derived from the talks, when first asked for (see _LazyEvents).
    events: list[Event] | None = _LazyEvents()
    # A file of several sessions (a feed): one page per session, and one of the events in
    # none, as the output folder keys them; empty for a page that is its own one part.
    parts: list[ParsedPage] = field(default_factory=list)
    # Each author's institution, where the source names them (feeds): by (session_id, position).
    institutions: dict[tuple[str, int], list[str | None]] = field(default_factory=dict)
    _links: dict[int, dict[str, str]] = field(default_factory=dict, repr=False)  # by position

    @property
    def sessions(self) -> list[Session]:
        """Every session the page gives: its own, or each of its parts'."""
        pages = self.parts or [self]
        return [page.session for page in pages if page.session is not None]

    def _talks_events(self) -> list[Event]:
        """One Event per talk with an event id: the talk's fields, its session, the links its
        card showed."""
        return _validate(
            _EVENTS,
            [
                {
                    **{name: getattr(talk, name) for name in _EVENT_FROM_TALK},
                    **self._links.get(talk.position, {}),
                    "session_ids": [talk.session_id],
                    "sources": [talk.source],
                }
                for talk in self.talks
                if talk.event_id
            ],
            self.session.source if self.session else "<page>",
        )


@dataclass
class _Context:
    """Page-level facts every record shares."""

    source: str
    content_sha256: str
    problems: list[Problem]
    zones: Mapping[str, str] | None = None
    local_zone: tzinfo | None = None  # --tz: the zone of times that print none
    year: int | None = None
    year_origin: str = ""  # where `year` came from: "as given by --year"
    conference: str | None = None
    base_url: str | None = None
    weekday_clashes: set[str] = field(default_factory=set)  # each is reported once per page
    # Each distinct slot read once per page (hundreds of cards share a few slots).
    slots: dict[tuple[str, str | None], TimeRange | TimeParseError] = field(default_factory=dict)
    # Each distinct authors line split once per page (a schedule lists a talk in several
    # tracks). The lists are shared, never changed: validation copies them into each record.
    authors: dict[str, list[str]] = field(default_factory=dict)
    # A year or zone the page lacks, by kind: the first slot without it, and the positions of
    # the slots without it (0: the session's).
    lacking_context: dict[type, tuple[MissingContext, list[int]]] = field(default_factory=dict)
    detail: bool = False  # an event detail page: its one card is "the event"

    def lacking(self, error: MissingContext, position: int) -> None:
        self.lacking_context.setdefault(type(error), (error, []))[1].append(position)

    def subject(self, positions: list[int]) -> str:
        """What warnings name: "talks 1-3", "the session and talk 2", "the event"."""
        talks = [position for position in positions if position]
        named = ["the session"] if len(talks) < len(positions) else []
        if talks:
            named.append(
                "the event"
                if self.detail
                else f"talk{'s' if len(talks) > 1 else ''} {ranges(talks)}"
            )
        return " and ".join(named)

    def absolute(self, href: str | None) -> str | None:
        """An event link made absolute against the page's address (None if that is unknown)."""
        if not href:
            return None
        if href.startswith(("http://", "https://")):
            return href
        if not self.base_url:
            return None
        if href.startswith("/") and not href.startswith("//"):
            return self.origin + href  # the common case, without urljoin's cost
        return urljoin(self.base_url, href)

    def link(self, href: str | None) -> str | None:
        """A link a reader found, if it is an http(s) one, made absolute."""
        if not href:
            return None
        if href.startswith("/") and not href.startswith("//"):  # most links: nothing to check
            return self.absolute(href)
        return web_address(self.absolute(page_link(href)))

    @cached_property
    def origin(self) -> str:
        parts = urlsplit(self.base_url or "")
        return f"{parts.scheme}://{parts.netloc}"

    def report(self, message: str, stage: str = "parse", severity: str = "warning") -> None:
        self.problems.append(
            Problem(source=self.source, stage=stage, severity=severity, message=message)
        )


def build_records(
    page: RawPage,
    *,
    source: str,
    content_sha256: str,
    url: str | None,
    year: int | None,
    conference: str | None,
    fetched_at: datetime | None,
    today: date | None = None,
    zones: Mapping[str, str] | None = None,
    local_zone: tzinfo | None = None,
) -> ParsedPage:
    problems: list[Problem] = []
    page_url = web_address(url) or web_address(page.canonical_url)
    label_conference, label_year = _site_label(page.site_label)
    context = _Context(
        source=source,
        content_sha256=content_sha256,
        problems=problems,
        zones=zones,
        local_zone=local_zone,
    )
    context.year, context.year_origin = _year(page, page_url, year, label_year, context, today)
    context.conference = canonical_name(
        conference or conference_of_url(page_url) or label_conference, context.year
    )
    host = host_of(context.conference)
    context.base_url = page_url or (f"https://{host}" if host else None)

    cards = page.cards
    if page.truncated:
        cards = cards[:-1]
        if not cards:
            raise TruncatedPage(
                "download is truncated before the first complete "
                + ("event" if page.kind == DETAIL_PAGE else "talk card")
            )
        context.report(
            f"download is truncated: kept {plural(len(cards), 'complete card')}, "
            "dropped the last one",
            severity="error",
        )
    if page.kind == DETAIL_PAGE:
        return _detail_records(page, page_url, context)
    if page.listed_count is not None and page.listed_count != len(page.cards):
        context.report(
            f"the page says it lists {page.listed_count} events, "
            f"but {len(page.cards)} event cards were read"
        )

    session_time = _read_time(page.time, page.default_zone, context, "session time")
    session_room = normalize_space(page.room) if page.room else None
    talks_fields = [
        _talk_fields(card, session_time, session_room, page, context, position)
        for position, card in enumerate(cards, start=1)
    ]
    _report_time_failures(talks_fields, context)

    session_id = _session_id(page, page_url)
    session_fields = _session_fields(page, session_id, session_time, talks_fields, context)
    session_fields.update(talk_count=len(talks_fields), url=page_url, fetched_at=fetched_at)
    session = _validate(_SESSION, session_fields, source)
    for fields in talks_fields:
        fields["session_id"] = session_id
    talks = _validate(_TALKS, talks_fields, source)  # one call: pydantic-core loops in Rust
    links = {
        position: _links(card, context)
        for position, card in enumerate(cards, start=1)
        if any(_LINK_VALUES(card))  # rare: the cheap test first
    }
    return ParsedPage(session, talks, page.kind, problems, _links=links)


def _detail_records(page: RawPage, page_url: str | None, context: _Context) -> ParsedPage:
    """An event detail page: one event, its title and authors checked against the page's
    JSON-LD. No event id (no canonical link, no --url) or no title is an error: such a page
    gives nothing to key or to show."""
    (card,) = page.cards
    card.href = web_address(card.href) or page_url  # the page's canonical link, if usable
    card.event_id = card.event_id or _event_id(card.href)
    if not card.event_id:
        raise NotASessionPage(
            "not a session page: no talk cards; a detail page, but it names no event id "
            "(no canonical link): give its address with --url"
        )
    if not (card.title or "").strip():
        raise NotASessionPage("not a session page: no talk cards; a detail page without a title")
    context.detail = True
    fields = _talk_fields(card, None, None, page, context)
    _report_time_failures([fields], context)
    if page.witness is not None:
        _compare_witness(fields, page.witness, context)
    fields = {name: fields.get(name) for name in _EVENT_FROM_TALK}
    fields.update(_links(card, context), sources=[context.source])
    event = _validate(_EVENT, fields, context.source)
    return ParsedPage(None, [], page.kind, context.problems, [event])


def _compare_witness(fields: dict, witness: RawCard, context: _Context) -> None:
    """The page's JSON-LD states the title and authors a second time: say where they differ."""
    title = clean_text(witness.title)[0] if witness.title else None
    if title and title != fields["title"]:
        context.report(
            f"the page's title {fields['title']!r} differs from its JSON-LD title {title!r}"
        )
    authors = split_authors(witness.authors) if witness.authors else []
    if authors and authors != fields["authors"]:
        context.report(
            f"the page's authors {'; '.join(fields['authors'])!r} differ from its "
            f"JSON-LD authors {'; '.join(authors)!r}"
        )


def _links(card: RawCard, context: _Context) -> dict[str, str]:
    """The card's OpenReview, paper, poster and project links that are http(s), absolute."""
    found = {name: context.link(href) for name in LINK_FIELDS if (href := getattr(card, name))}
    return {name: link for name, link in found.items() if link}


def _talk_fields(
    card: RawCard,
    session_time: TimeRange | None,
    session_room: str | None,
    page: RawPage,
    context: _Context,
    position: int = 1,
) -> dict:
    """A card's fields, for its talk and its event."""
    title, title_warning = clean_text(card.title) if card.title else (None, None)
    abstract, abstract_warning = clean_text(card.abstract) if card.abstract else (None, None)
    if title_warning or abstract_warning:
        for name, warning in (("title", title_warning), ("abstract", abstract_warning)):
            if warning:
                context.report(f"{context.subject([position])} {name}: {warning}", stage="clean")
    authors = None
    if card.authors:
        authors = context.authors.get(card.authors)
        if authors is None:
            authors = context.authors[card.authors] = split_authors(card.authors)
    fields = {
        "position": position,
        "event_id": card.event_id or _event_id(card.href),
        "event_type": _label(card.event_type) if card.event_type else None,
        "url": context.link(card.href) if card.href else None,
        "title": title or None,
        "title_raw": card.title,
        "authors": authors or [],
        "abstract": abstract or None,
        "abstract_raw": card.abstract,
        "poster_position": normalize_space(card.poster_position) if card.poster_position else None,
        "room": _label(card.room) if card.room else session_room,
        "conference": context.conference,
        "year": context.year,
        "source": context.source,
        "content_sha256": context.content_sha256,
        "parser_version": PARSER_VERSION,
        "time_source": None,
        "utc_offset": None,
        "_time_error": None,
    }
    if card.time:
        fields["time_raw"] = _label(card.time)
        fields["time_source"] = "talk"
        slot = _parse_time(fields["time_raw"], page.default_zone, context)
        if isinstance(slot, TimeParseError):
            fields["_time_error"] = slot
        else:
            fields.update(
                start=slot.start,
                end=slot.end,
                timezone=slot.timezone,
                utc_offset=slot.utc_offset,
            )
    elif session_time is not None:
        fields.update(
            start=session_time.start,
            end=session_time.end,
            timezone=session_time.timezone,
            utc_offset=session_time.utc_offset,
            time_source="session",
        )
    return fields


def _report_time_failures(talks_fields: list[dict], context: _Context) -> None:
    """One warning per distinct reason, naming the talks, not hundreds of identical lines; and
    one for a year or zone the page lacks, naming the session too if its slot lacks it."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for fields in talks_fields:
        error = fields.pop("_time_error")
        if isinstance(error, MissingContext):
            context.lacking(error, fields["position"])
        elif error:
            by_reason[str(error)].append(fields["position"])
    for reason, positions in by_reason.items():
        context.report(
            f"time not read ({reason}) for {context.subject(positions)}; "
            "start/end left empty, time_raw kept",
            stage="time",
        )
    for error, positions in context.lacking_context.values():
        context.report(
            f"{error.problem} ({error.raw!r}, for {context.subject(positions)}): start/end "
            f"left empty, time_raw kept; {error.remedy}",
            stage="time",
        )


def _session_fields(
    page: RawPage,
    session_id: str,
    session_time: TimeRange | None,
    talks_fields: list[dict],
    context: _Context,
) -> dict:
    fields = {
        "session_id": session_id,
        "conference": context.conference,
        "year": context.year,
        "title": normalize_space(page.title) if page.title else None,
        "session_type": normalize_space(page.session_type or _listing_kind(page) or "") or None,
        "room": normalize_space(page.room) if page.room else None,
        "moderators": split_moderators(page.moderators) if page.moderators else [],
        "time_raw": normalize_space(page.time) if page.time else None,
        "source": context.source,
        "content_sha256": context.content_sha256,
        "parser_version": PARSER_VERSION,
    }
    if session_time is not None:
        fields.update(
            start=session_time.start, end=session_time.end, timezone=session_time.timezone
        )
    else:
        # No session slot on the page: it spans its talks, first start to last end.
        timed = [f for f in talks_fields if f.get("start")]
        if timed:
            fields.update(
                start=min(f["start"] for f in timed),
                end=max(f.get("end") or f["start"] for f in timed),
                timezone=timed[0]["timezone"],
            )
    fields["utc_offset"] = utc_offset(fields.get("start"))
    return fields


def _read_time(
    raw: str | None, default_zone: str | None, context: _Context, what: str
) -> TimeRange | None:
    if not raw:
        return None
    slot = _parse_time(normalize_space(raw), default_zone, context)
    if isinstance(slot, MissingContext):
        context.lacking(slot, 0)
    elif isinstance(slot, TimeParseError):
        context.report(f"{what} not read ({slot}); start/end left empty, time_raw kept", "time")
    else:
        return slot
    return None


def _parse_time(
    slot: str, default_zone: str | None, context: _Context
) -> TimeRange | TimeParseError:
    """`slot` (its whitespace already collapsed: it is also the record's time_raw) read, or the
    reason it cannot be. The reason is returned, not raised, and kept without its traceback:
    a traceback holds the frames of this page's reading, which the error's place in the page's
    cache would hold in turn, a cycle that only the cyclic collector could free."""
    parsed = context.slots.get((slot, default_zone))
    if parsed is None:
        try:
            parsed = parse_time_range(
                slot,
                context.year,
                default_zone,
                context.zones,
                context.year_origin,
                context.local_zone,
            )
        except TimeParseError as exc:
            parsed = exc.with_traceback(None)
        context.slots[slot, default_zone] = parsed
        clash = None if isinstance(parsed, TimeParseError) else parsed.weekday_clash
        if clash and clash not in context.weekday_clashes:
            context.weekday_clashes.add(clash)
            context.report(clash, stage="time")
    return parsed


def _year(
    page: RawPage,
    page_url: str | None,
    year: int | None,
    label_year: int | None,
    context: _Context,
    today: date | None,
) -> tuple[int | None, str]:
    """The URL, else --year, else the site's own label or event links, else the weekday; and
    where it came from, for warnings about it."""
    for candidate, origin in (
        (year_from_url(page_url), "as given by the URL"),
        (year, "as given by --year"),
        (label_year, "as the page title gives it"),
        *((year_from_url(card.href), "as the event links give it") for card in page.cards[:1]),
    ):
        if candidate:
            return candidate, origin
    # Each distinct slot once: a list of thousands of cards prints a few dozen.
    as_printed = dict.fromkeys(t for t in (page.time, *(c.time for c in page.cards)) if t)
    slots = list(dict.fromkeys(map(normalize_space, as_printed)))
    for slot in slots:
        if printed := explicit_year(slot):
            return printed, f"as printed in {slot!r}"
    for slot in slots:
        if inferred := infer_year(slot, today):
            context.report(
                f"year {inferred} inferred from the weekday in {slot!r}; "
                "pass --year or --url to set it",
                stage="time",
            )
            return inferred, f"as inferred from {slot!r}"
    if slots:
        context.report("year unknown (no URL, no --year, no weekday to infer it from)", "time")
    return None, ""


def _listing_kind(page: RawPage) -> str | None:
    """The kind of a page that lists events without being a session ("events list")."""
    return None if page.kind in SESSION_KINDS else page.kind


def _session_id(page: RawPage, page_url: str | None) -> str:
    """The id in the URL, else the page's own session bookmark, else an id derived from what
    the page shows: its header and first talk (complete even in a truncated download). Never
    from --conference or --year, so parsing a page again gives the same id, whatever is passed.

    A list of events is named by its address: `icml.cc-2026-events-oral` for
    https://icml.cc/virtual/2026/events/oral (the host keeps two sites' lists apart, the
    query two filters of one list); without one, by its content, like a session."""
    if _listing_kind(page):
        if page_url:
            return _address_id(page_url)
    elif page_url and (match := _URL_SESSION_ID.search(page_url)):
        return match.group(1)
    elif page.session_id:
        return page.session_id
    first = page.cards[0] if page.cards else RawCard()
    basis = "\x1f".join(
        normalize_space(part) if part else ""
        for part in (
            page.session_type or _listing_kind(page),
            page.title,
            page.room,
            page.time,
            first.event_type,
            first.poster_position,
            first.time,
            first.title,
        )
    )
    return "h" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:15]


_SESSION = TypeAdapter(Session)
_TALKS = TypeAdapter(list[Talk])
_EVENT = TypeAdapter(Event)
_EVENTS = TypeAdapter(list[Event])


def _validate(adapter: TypeAdapter, data, source: str):
    """Validated records, or InvalidRecord naming the page, the record and the field."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = list(first["loc"])
        record = "event" if adapter in (_EVENT, _EVENTS) else "talk"
        what = (
            f"{record} {location.pop(0) + 1}"
            if location and isinstance(location[0], int)
            else ("event" if adapter is _EVENT else "session")
        )
        where = ".".join(str(part) for part in location) or "record"
        raise InvalidRecord(f"{source}: {what}: field {where!r}: {first['msg']}") from None


def _address_id(url: str) -> str:
    """`https://www.nips.cc/Conferences/2016/Schedule?type=Poster` ->
    `nips.cc-2016-schedule-type-poster`: the host, then the path and query in lower case,
    without the path words every list shares, every other run of characters made a `-`."""
    parts = urlsplit(url)
    words = [word for word in parts.path.lower().split("/") if word not in _NOT_IN_LIST_IDS]
    words += [f"{key}-{value}" for key, value in sorted(parse_qsl(parts.query))]
    path = re.sub(r"[^a-z0-9.]+", "-", "-".join(words).lower()).strip("-.")
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}-{path}" if path else host


def _event_id(href: str | None) -> str | None:
    """The last path segment when it is a number: /virtual/2025/poster/45933 -> 45933."""
    if not href:
        return None
    last = href.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def year_from_url(url: str | None) -> int | None:
    match = _URL_YEAR.search(url) if url else None
    return int(match.group(1)) if match else None


def web_address(url: str | None) -> str | None:
    """A page's address (as given, or its own `<link rel=canonical>`), if it is an absolute
    http(s) URL; anything else would make every link on the page wrong."""
    try:
        parts = urlsplit(url) if url else None
    except ValueError:  # "http://[oops"
        return None
    return url if parts and parts.scheme in ("http", "https") and parts.hostname else None


def _site_label(label: str | None) -> tuple[str | None, int | None]:
    """ "ICML 2025" -> ("ICML", 2025); unknown names give no conference."""
    match = _SITE_LABEL.search(label) if label else None
    if not match:
        return None, None
    name = match.group(1)
    return (name if is_known(name) else None), int(match.group(2))


def ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
