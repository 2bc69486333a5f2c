"""Turn a RawPage into validated Session and Talk records: the text, time and author rules of
the contract live here, once, for both the HTML and the plain-text reader."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from urllib.parse import urljoin, urlsplit

from pydantic import TypeAdapter, ValidationError

from schedscrape.errors import InvalidRecord, TruncatedPage
from schedscrape.models import Event, Problem, Session, Talk
from schedscrape.parse.authors import split_authors, split_moderators
from schedscrape.parse.conferences import canonical_name, conference_of_url, host_of, is_known
from schedscrape.parse.latex import clean_text
from schedscrape.parse.raw import RawCard, RawPage
from schedscrape.parse.textutil import normalize_space
from schedscrape.parse.times import (
    TimeParseError,
    TimeRange,
    explicit_year,
    infer_year,
    parse_time_range,
)

PARSER_VERSION = "2"  # bumped when parsing rules change the output

_URL_YEAR = re.compile(r"/(?:virtual|Conferences)/((?:19|20)\d{2})(?:/|$)", re.IGNORECASE)
_URL_SESSION_ID = re.compile(r"/session/(\d+)")
_SITE_LABEL = re.compile(r"\b([A-Za-z]+)\s+((?:19|20)\d{2})\b")


@dataclass
class ParsedPage:
    """What `parse_page` returns: the session, its talks in page order, and any problems."""

    session: Session | None
    talks: list[Talk]
    kind: str = "session page"
    problems: list[Problem] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


@dataclass
class _Context:
    """Page-level facts every record shares."""

    source: str
    content_sha256: str
    problems: list[Problem]
    zones: Mapping[str, str] | None = None
    year: int | None = None
    year_origin: str = ""  # where `year` came from: "as given by --year"
    conference: str | None = None
    base_url: str | None = None
    weekday_clashes: set[str] = field(default_factory=set)  # each is reported once per page

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
) -> ParsedPage:
    problems: list[Problem] = []
    page_url = url or _web_address(page.canonical_url)
    label_conference, label_year = _site_label(page.site_label)
    context = _Context(source=source, content_sha256=content_sha256, problems=problems, zones=zones)
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
            raise TruncatedPage("download is truncated before the first complete talk card")
        context.report(
            f"download is truncated: kept {len(cards)} complete cards, dropped the last one",
            severity="error",
        )

    session_time = _read_time(page.time, page.default_zone, context, "session time")
    talks_fields = [
        _talk_fields(position, card, session_time, page.default_zone, context)
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
    return ParsedPage(session=session, talks=talks, problems=problems)


def _talk_fields(
    position: int,
    card: RawCard,
    session_time: TimeRange | None,
    default_zone: str | None,
    context: _Context,
) -> dict:
    title, title_warning = clean_text(card.title) if card.title else (None, None)
    abstract, abstract_warning = clean_text(card.abstract) if card.abstract else (None, None)
    for name, warning in (("title", title_warning), ("abstract", abstract_warning)):
        if warning:
            context.report(f"talk {position} {name}: {warning}", stage="clean")
    fields = {
        "position": position,
        "event_id": _event_id(card.href),
        "event_type": normalize_space(card.event_type) if card.event_type else None,
        "url": context.absolute(card.href),
        "title": title or None,
        "title_raw": card.title,
        "authors": split_authors(card.authors) if card.authors else [],
        "abstract": abstract or None,
        "abstract_raw": card.abstract,
        "poster_position": normalize_space(card.poster_position) if card.poster_position else None,
        "conference": context.conference,
        "year": context.year,
        "source": context.source,
        "content_sha256": context.content_sha256,
        "parser_version": PARSER_VERSION,
        "time_source": None,
        "_time_error": None,
    }
    if card.time:
        fields["time_raw"] = normalize_space(card.time)
        fields["time_source"] = "talk"
        try:
            slot = _parse_time(fields["time_raw"], default_zone, context)
        except TimeParseError as exc:
            fields["_time_error"] = str(exc)
        else:
            fields.update(start=slot.start, end=slot.end, timezone=slot.timezone)
    elif session_time is not None:
        fields.update(
            start=session_time.start,
            end=session_time.end,
            timezone=session_time.timezone,
            time_source="session",
        )
    return fields


def _report_time_failures(talks_fields: list[dict], context: _Context) -> None:
    """One warning per distinct reason, naming the talks, not hundreds of identical lines."""
    by_reason: dict[str, list[int]] = defaultdict(list)
    for fields in talks_fields:
        reason = fields.pop("_time_error")
        if reason:
            by_reason[reason].append(fields["position"])
    for reason, positions in by_reason.items():
        context.report(
            f"talk time not read ({reason}) for talks {_ranges(positions)}; "
            "start/end left empty, time_raw kept",
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
        "session_type": normalize_space(page.session_type) if page.session_type else None,
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
    return fields


def _read_time(
    raw: str | None, default_zone: str | None, context: _Context, what: str
) -> TimeRange | None:
    if not raw:
        return None
    try:
        return _parse_time(normalize_space(raw), default_zone, context)
    except TimeParseError as exc:
        context.report(f"{what} not read ({exc}); start/end left empty, time_raw kept", "time")
        return None


def _parse_time(slot: str, default_zone: str | None, context: _Context) -> TimeRange:
    """`slot` with its whitespace already collapsed (it is also the record's time_raw)."""
    parsed = parse_time_range(slot, context.year, default_zone, context.zones, context.year_origin)
    clash = parsed.weekday_clash
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
        (_year_from_url(page_url), "as given by the URL"),
        (year, "as given by --year"),
        (label_year, "as the page title gives it"),
        *((_year_from_url(card.href), "as the event links give it") for card in page.cards[:1]),
    ):
        if candidate:
            return candidate, origin
    slots = [normalize_space(t) for t in [page.time, *(c.time for c in page.cards)] if t]
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


def _session_id(page: RawPage, page_url: str | None) -> str:
    """The id in the URL, else the page's own session bookmark, else an id derived from what
    the page shows: its header and first talk (complete even in a truncated download). Never
    from --conference or --year, so parsing a page again gives the same id, whatever is passed."""
    if page_url and (match := _URL_SESSION_ID.search(page_url)):
        return match.group(1)
    if page.session_id:
        return page.session_id
    first = page.cards[0] if page.cards else RawCard()
    basis = "\x1f".join(
        normalize_space(part) if part else ""
        for part in (
            page.session_type,
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


def _validate(adapter: TypeAdapter, data, source: str):
    """Validated records, or InvalidRecord naming the page, the record and the field."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        location = list(first["loc"])
        what = (
            f"talk {location.pop(0) + 1}"
            if location and isinstance(location[0], int)
            else ("session")
        )
        where = ".".join(str(part) for part in location) or "record"
        raise InvalidRecord(f"{source}: {what}: field {where!r}: {first['msg']}") from None


def _event_id(href: str | None) -> str | None:
    """The last path segment when it is a number: /virtual/2025/poster/45933 -> 45933."""
    if not href:
        return None
    last = href.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def _year_from_url(url: str | None) -> int | None:
    match = _URL_YEAR.search(url) if url else None
    return int(match.group(1)) if match else None


def _web_address(url: str | None) -> str | None:
    """A page's own claim of its address (`<link rel=canonical>`), if it is an absolute http(s)
    URL; anything else would make every link on the page wrong."""
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


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)
