"""The `*-orals-posters.json` feed: `{"count", "next", "previous", "results": [...]}`, a record
per paper with its session's name, exact times (ISO 8601 with offset), room, board, OpenReview
link and the authors' institutions.

A feed gives several sessions, one per `session` name: each a Session row with `session_type`
"feed" and an id derived from the conference-year and the name, so parsing the feed again
gives the same ids. `parse_page` returns one ParsedPage for the whole file: `.session` is None
(the file is no one session), `.sessions`, `.talks` and `.events` hold every session, talk and
event, and `.parts` one page per session (and one for events in no session), as the output
folder keys them.

Feeds are known to be wrong at times (MARKUP.md): a `count` that differs from the records it
holds (a truncated feed) and a paper's record given twice are warnings of stage "feed", and a
repeated record is folded into one event.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from schedscrape.errors import InvalidRecord, NotADataFile
from schedscrape.models import Event, Session, Talk
from schedscrape.parse.build import ParsedPage, ranges
from schedscrape.parse.datafiles.records import (
    BadRecord,
    FileContext,
    canonical_url,
    people,
    prose,
    skipped,
    text,
    type_name,
    validated,
)
from schedscrape.parse.htmltree import event_id_of
from schedscrape.parse.textutil import normalize_space
from schedscrape.parse.times import utc_offset

KIND = "feed"
STAGE = "feed"  # schedscrape.check.FEED_STAGE: what `check` reports as a feed's problems
# Keys only a feed's records have (an export's share name, type and virtualsite_url).
_FEED_KEYS = frozenset(["eventtype", "starttime", "endtime", "session", "room_name", "uid"])
_EVENT_ONLY = ("openreview_url", "paper_url")  # the other Event fields are the talk's too
# Fields a repeated record may give otherwise without saying more than its clean fields do.
_NOT_COMPARED = frozenset(["title_raw", "abstract_raw", "time_raw", "utc_offset"])


def is_feed(data: object) -> bool:
    """The feed's envelope, or a bare list of its records."""
    if isinstance(data, dict):
        return "results" in data
    return isinstance(data, list) and any(
        isinstance(record, dict) and not _FEED_KEYS.isdisjoint(record) for record in data
    )


@dataclass
class _Paper:
    """One paper as the feed's records (one, or several folded) give it."""

    session: str | None
    fields: dict  # the talk's fields, and the event's links
    institutions: list[str | None]
    records: list[int] = field(default_factory=list)  # their numbers in the feed
    differ: set[str] = field(default_factory=set)  # fields the repeats give other values of

    def fold(self, other: _Paper) -> None:
        """Take what this record lacks from a repeat of it; note where they differ."""
        self.records += other.records
        for name, value in other.fields.items():
            mine = self.fields.get(name)
            if not mine and value:
                self.fields[name] = value
                if name == "authors":
                    self.institutions = other.institutions
            elif mine and value and mine != value and name not in _NOT_COMPARED:
                self.differ.add(name)
        self.session = self.session or other.session


def read(data: dict | list, context: FileContext) -> ParsedPage:
    records = data.get("results") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise NotADataFile(f"a feed whose 'results' is {type_name(records)}, not a list")
    if isinstance(data, dict):
        _check_count(data, len(records), context)
    papers: dict[str, _Paper] = {}
    reasons: dict[str, list[int]] = defaultdict(list)  # why records were skipped
    unread_times: dict[str, list[int]] = defaultdict(list)  # why times were left empty
    for number, record in enumerate(records, start=1):
        try:
            paper = _paper(record, number, context, unread_times)
        except BadRecord as exc:
            reasons[str(exc)].append(number)
            continue
        paper.records.append(number)
        event_id = paper.fields["event_id"]
        if event_id in papers:
            papers[event_id].fold(paper)
        else:
            papers[event_id] = paper
    skipped(reasons, context, STAGE)
    for reason, numbers in unread_times.items():
        plural = "s" if len(numbers) > 1 else ""
        context.report(f"record{plural} {ranges(numbers)}: {reason}; start/end left empty", "time")
    if not papers:
        raise NotADataFile(f"a feed with no usable record ({next(iter(reasons), 'it is empty')})")
    for event_id, paper in papers.items():
        if len(paper.records) > 1:
            differ = f"; they differ in {', '.join(sorted(paper.differ))} (the first kept)"
            context.report(
                f"event {event_id} is in the feed {len(paper.records)} times (records "
                f"{ranges(paper.records)}): folded into one event"
                + (differ if paper.differ else ""),
                STAGE,
            )
    try:
        return _pages(list(papers.values()), context)
    except BadRecord as exc:  # each record's fields were checked: a bug, said in one line
        raise InvalidRecord(f"{context.source}: {exc}") from None


def _check_count(envelope: dict, held: int, context: FileContext) -> None:
    """A `count` other than the records held: the feed is cut (or pages on, via `next`)."""
    count = envelope.get("count")
    if count is None:
        return
    if not isinstance(count, int) or isinstance(count, bool):
        context.report(f"the feed's count is {type_name(count)}, not a number; ignored", STAGE)
    elif count > held:
        following = envelope.get("next")
        more = f"; its next page, {str(following)[:200]!r}, is not read" if following else ""
        context.report(
            f"the feed is truncated: its count is {count}, but it holds only {held}{more}",
            STAGE,
        )
    elif count < held:
        context.report(f"the feed's count is {count}, but it holds {held} records", STAGE)


def _paper(
    record: object, number: int, context: FileContext, unread_times: dict[str, list[int]]
) -> _Paper:
    if not isinstance(record, dict):
        raise BadRecord("not an object")
    written = text(record, "virtualsite_url")
    url = canonical_url(written, context.conference, context.url)
    given, linked = text(record, "id", number=True), event_id_of(url)
    if given and linked and given.strip() != linked:  # which paper is it? Neither is trusted
        raise BadRecord("its id is not the id in its virtualsite_url")
    event_id = (given or linked or "").strip()
    if not event_id:
        raise BadRecord("no id and no event address")
    conference, year = context.place(url)
    url = url or canonical_url(written, conference)
    authors = people(record, ("authors",))
    paper_link = canonical_url(text(record, "paper_url"), conference)
    on_openreview = bool(paper_link) and "openreview.net" in paper_link.split("/")[2]
    kind, room = text(record, "eventtype"), text(record, "room_name")
    board = text(record, "poster_position", number=True)
    fields = {
        "event_id": event_id,
        "event_type": normalize_space(kind) if kind else None,
        "url": url,
        **prose(record, event_id, context),
        "authors": [name for name, _ in authors],
        "room": normalize_space(room) if room else None,
        "poster_position": normalize_space(board) if board else None,
        "conference": conference,
        "year": year,
        "openreview_url": paper_link if on_openreview else None,
        "paper_url": None if on_openreview else paper_link,
        **_times(record, number, context, unread_times),
    }
    session = text(record, "session")
    return _Paper(
        session=normalize_space(session) if session else None,
        fields=fields,
        institutions=[institution for _, institution in authors],
    )


def _times(
    record: dict, number: int, context: FileContext, unread_times: dict[str, list[int]]
) -> dict:
    """start, end and their offset; time_raw as written. A time that is not ISO 8601, or has
    no offset and no --tz to take, leaves both empty (a warning, the record kept)."""
    start_raw, end_raw = text(record, "starttime"), text(record, "endtime")
    raw = " - ".join(part.strip() for part in (start_raw, end_raw) if part) or None
    fields = {"time_raw": raw, "start": None, "end": None, "utc_offset": None}
    try:
        start, end = _moment(start_raw, "starttime", context), _moment(end_raw, "endtime", context)
    except ValueError as exc:
        unread_times[str(exc)].append(number)
        return fields
    if start and end and end < start:
        unread_times["endtime is before starttime"].append(number)
        return fields
    return {**fields, "start": start, "end": end, "utc_offset": utc_offset(start or end)}


def _moment(value: str | None, name: str, context: FileContext) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name} {value[:40]!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        if context.local_zone is None:
            raise ValueError(f"{name} {value[:40]!r} has no UTC offset (--tz gives one)")
        moment = moment.replace(tzinfo=context.local_zone)
    return moment


def _pages(papers: list[_Paper], context: FileContext) -> ParsedPage:
    """One part per session name, in the order the feed first names them, then one of the
    papers in no session; and the whole file as one page over them."""
    by_session: dict[str | None, list[_Paper]] = defaultdict(list)
    for paper in papers:
        by_session[paper.session].append(paper)
    parts = [_part(name, members, context) for name, members in by_session.items() if name]
    if None in by_session:
        events = [_event(paper, None, context) for paper in by_session[None]]
        parts.append(ParsedPage(None, [], KIND, [], events))
    return ParsedPage(
        None,
        [talk for part in parts for talk in part.talks],
        KIND,
        context.problems,
        [event for part in parts for event in part.events],
        parts=parts,
        institutions={key: value for part in parts for key, value in part.institutions.items()},
    )


def _part(name: str, papers: list[_Paper], context: FileContext) -> ParsedPage:
    first = papers[0].fields
    session_id = _session_id(first["conference"], first["year"], name)
    talks = [
        validated(
            Talk,
            {
                **{k: v for k, v in paper.fields.items() if k not in _EVENT_ONLY},
                **context.shared(),
                "session_id": session_id,
                "position": position,
                "time_source": "talk" if paper.fields["start"] else None,
            },
        )
        for position, paper in enumerate(papers, start=1)
    ]
    starts = [talk.start for talk in talks if talk.start]
    ends = [talk.end or talk.start for talk in talks if talk.start]
    rooms = {talk.room for talk in talks}
    session = validated(
        Session,
        {
            "session_id": session_id,
            "conference": first["conference"],
            "year": first["year"],
            "url": context.url,
            "title": name,
            "session_type": KIND,
            "room": rooms.pop() if len(rooms) == 1 else None,
            "start": min(starts, default=None),
            "end": max(ends, default=None),
            "utc_offset": utc_offset(min(starts, default=None)),
            "talk_count": len(talks),
            "fetched_at": context.fetched_at,
            **context.shared(),
        },
    )
    return ParsedPage(
        session,
        talks,
        KIND,
        [],
        [_event(paper, session_id, context) for paper in papers],
        institutions={
            (session_id, position): paper.institutions
            for position, paper in enumerate(papers, start=1)
            if any(paper.institutions)
        },
    )


def _event(paper: _Paper, session_id: str | None, context: FileContext) -> Event:
    fields = {k: v for k, v in paper.fields.items() if k != "time_raw"}
    return validated(
        Event,
        {**fields, "session_ids": [session_id] if session_id else [], "sources": [context.source]},
    )


def _session_id(conference: str | None, year: int | None, name: str) -> str:
    """Stable for a conference-year's session name, whichever copy of the feed gives it."""
    basis = "\x1f".join([KIND, conference or "", str(year or ""), name])
    return "h" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()[:15]
