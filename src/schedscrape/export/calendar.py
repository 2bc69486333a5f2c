"""iCalendar output (RFC 5545, with the `icalendar` library): talks.ics and sessions.ics.

Times are written in UTC (`...Z`), never floating: the pages give a fixed offset ("PDT"), not an
IANA zone, so UTC is the exact form every calendar program reads the same way. UIDs come from
conference, year, session and event (or position), so they are the same on every run and a
re-import updates events instead of duplicating them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from schedscrape.export.atomic import atomic_path
from schedscrape.export.dataset import Dataset
from schedscrape.export.writers import Writer
from schedscrape.models import Session, Talk

if TYPE_CHECKING:  # imported on use: a slow import that runs without .ics output can skip
    from icalendar import Event

PRODID = "-//schedscrape//schedscrape//EN"


class IcsWriter(Writer):
    """talks.ics (one event per talk with a time) and sessions.ics (one per session)."""

    format: ClassVar[str] = "ics"

    @classmethod
    def file_names(cls) -> list[str]:
        return ["talks.ics", "sessions.ics"]

    def write(self, dataset: Dataset, directory: Path) -> list[Path]:
        stamp = datetime.now(UTC)
        sessions = {session.session_id: session for session in dataset.sessions}
        talk_events = [
            talk_event(talk, sessions.get(talk.session_id), stamp)
            for talk in dataset.talks
            if talk.start is not None
        ]
        session_events = [
            session_event(session, stamp) for session in dataset.sessions if session.start
        ]
        paths = []
        for name, events in (("talks.ics", talk_events), ("sessions.ics", session_events)):
            path = directory / name
            _write_calendar(path, events, name.removesuffix(".ics"))
            paths.append(path)
        return paths


def talk_event(talk: Talk, session: Session | None, stamp: datetime) -> Event:
    kind = " ".join(part for part in (talk.event_type, talk.poster_position) if part)
    description = [
        ", ".join(talk.authors),
        kind,
        f"Session: {session.title}" if session is not None and session.title else "",
        talk.abstract or "",
        talk.url or "",
    ]
    event = _event(
        uid=talk_uid(talk),
        stamp=stamp,
        start=talk.start,
        end=talk.end,
        summary=talk.title or "(untitled talk)",
        location=session.room if session else None,
        url=talk.url,
        description="\n\n".join(part for part in description if part),
    )
    if talk.event_type:
        event.add("categories", [talk.event_type])
    return event


def session_event(session: Session, stamp: datetime) -> Event:
    description = [
        session.session_type or "",
        f"Moderators: {', '.join(session.moderators)}" if session.moderators else "",
        f"{session.talk_count} talks",
        session.url or "",
    ]
    return _event(
        uid=session_uid(session),
        stamp=stamp,
        start=session.start,
        end=session.end,
        summary=session.title or session.session_type or f"Session at {session.room}",
        location=session.room,
        url=session.url,
        description="\n".join(part for part in description if part),
    )


def _event(
    *,
    uid: str,
    stamp: datetime,
    start: datetime,
    end: datetime | None,
    summary: str,
    location: str | None,
    url: str | None,
    description: str,
) -> Event:
    """One VEVENT with UTC times (never floating) and the properties every event shares."""
    from icalendar import Event

    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(UTC))
    if end is not None:
        event.add("dtend", end.astimezone(UTC))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if url:
        event.add("url", url)
    event.add("description", description)
    return event


def talk_uid(talk: Talk) -> str:
    item = f"event{talk.event_id}" if talk.event_id else f"position{talk.position}"
    return f"{_prefix(talk.conference, talk.year)}-session{talk.session_id}-{item}@schedscrape"


def session_uid(session: Session) -> str:
    return f"{_prefix(session.conference, session.year)}-session{session.session_id}@schedscrape"


def _prefix(conference: str | None, year: int | None) -> str:
    return f"{(conference or 'conference').lower()}{year or ''}"


def _write_calendar(path: Path, events: list[Event], name: str) -> None:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"schedscrape {name}")
    for event in events:
        calendar.add_component(event)
    with atomic_path(path) as temporary:
        temporary.write_bytes(calendar.to_ical())
