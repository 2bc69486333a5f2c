"""iCalendar output (RFC 5545, with the `icalendar` library): talks.ics and sessions.ics.

Times are written in UTC (`...Z`), never floating: the pages give a fixed offset ("PDT"), not an
IANA zone, so UTC is the exact form every calendar program reads the same way. UIDs come from
conference, year, session and event (or position), so they are the same on every run and a
re-import updates events instead of duplicating them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from icalendar import Calendar, Event

from schedscrape.export.atomic import atomic_path
from schedscrape.export.dataset import Dataset
from schedscrape.export.writers import Writer
from schedscrape.models import Session, Talk

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
    event = Event()
    event.add("uid", talk_uid(talk))
    event.add("dtstamp", stamp)
    event.add("dtstart", talk.start.astimezone(UTC))
    if talk.end is not None:
        event.add("dtend", talk.end.astimezone(UTC))
    event.add("summary", talk.title or "(untitled talk)")
    if session is not None and session.room:
        event.add("location", session.room)
    if talk.url:
        event.add("url", talk.url)
    description = [
        ", ".join(talk.authors),
        f"{talk.event_type}" + (f" {talk.poster_position}" if talk.poster_position else "")
        if talk.event_type
        else "",
        f"Session: {session.title}" if session is not None and session.title else "",
        talk.abstract or "",
        talk.url or "",
    ]
    event.add("description", "\n\n".join(part for part in description if part))
    if talk.event_type:
        event.add("categories", [talk.event_type])
    return event


def session_event(session: Session, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.start.astimezone(UTC))
    if session.end is not None:
        event.add("dtend", session.end.astimezone(UTC))
    event.add("summary", session.title or session.session_type or f"Session at {session.room}")
    if session.room:
        event.add("location", session.room)
    if session.url:
        event.add("url", session.url)
    description = [
        session.session_type or "",
        f"Moderators: {', '.join(session.moderators)}" if session.moderators else "",
        f"{session.talk_count} talks",
        session.url or "",
    ]
    event.add("description", "\n".join(part for part in description if part))
    return event


def talk_uid(talk: Talk) -> str:
    item = f"event{talk.event_id}" if talk.event_id else f"position{talk.position}"
    return f"{_prefix(talk.conference, talk.year)}-session{talk.session_id}-{item}@schedscrape"


def session_uid(session: Session) -> str:
    return f"{_prefix(session.conference, session.year)}-session{session.session_id}@schedscrape"


def _prefix(conference: str | None, year: int | None) -> str:
    return f"{(conference or 'conference').lower()}{year or ''}"


def _write_calendar(path: Path, events: list[Event], name: str) -> None:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"schedscrape {name}")
    for event in events:
        calendar.add_component(event)
    with atomic_path(path) as temporary:
        temporary.write_bytes(calendar.to_ical())
