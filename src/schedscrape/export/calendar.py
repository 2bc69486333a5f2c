"""iCalendar output (RFC 5545, with the `icalendar` library): talks.ics and sessions.ics.

Times are written in UTC (`...Z`), never floating: the pages give a fixed offset ("PDT"), not an
IANA zone, so UTC is the exact form every calendar program reads the same way. UIDs come from
conference, year, session and event (or position), so they are the same on every run and a
re-import updates events instead of duplicating them. Text values carry no control characters
(RFC 5545 allows none in TEXT), and links are http(s) only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from schedscrape.export.atomic import atomic_path
from schedscrape.export.dataset import Dataset
from schedscrape.export.writers import Writer
from schedscrape.links import is_web_url
from schedscrape.models import Session, Talk

if TYPE_CHECKING:  # imported on use: a slow import that runs without .ics output can skip
    from icalendar import Event

PRODID = "-//schedscrape//schedscrape//EN"
# Every control character but the line break, which icalendar writes as `\n`.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


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
    url = _web(talk.url)
    description = [
        ", ".join(talk.authors),
        kind,
        f"Session: {session.title}" if session is not None and session.title else "",
        talk.abstract or "",
        url or "",
    ]
    event = _event(
        uid=talk_uid(talk),
        stamp=stamp,
        start=talk.start,
        end=talk.end,
        summary=talk.title or "(untitled talk)",
        location=session.room if session else None,
        url=url,
        description="\n\n".join(part for part in description if part),
    )
    if talk.event_type:
        event.add("categories", [_text(talk.event_type)])
    return event


def session_event(session: Session, stamp: datetime) -> Event:
    url = _web(session.url)
    description = [
        session.session_type or "",
        f"Moderators: {', '.join(session.moderators)}" if session.moderators else "",
        f"{session.talk_count} talks",
        url or "",
    ]
    return _event(
        uid=session_uid(session),
        stamp=stamp,
        start=session.start,
        end=session.end,
        summary=session.title or session.session_type or f"Session at {session.room}",
        location=session.room,
        url=url,
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
    event.add("uid", _text(uid))
    event.add("dtstamp", stamp)
    event.add("dtstart", start.astimezone(UTC))
    if end is not None:
        event.add("dtend", end.astimezone(UTC))
    event.add("summary", _text(summary))
    if location:
        event.add("location", _text(location))
    if url:
        event.add("url", url)
    event.add("description", _text(description))
    return event


def _text(value: str) -> str:
    """A TEXT value RFC 5545 allows: each control character (page text can hold any) becomes
    a space, and a carriage return a line break."""
    return _CONTROL.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))


def _web(url: str | None) -> str | None:
    return url if is_web_url(url) else None


def talk_uid(talk: Talk) -> str:
    item = f"event{talk.event_id}" if talk.event_id else f"position{talk.position}"
    return _uid(talk.conference, talk.year, f"session{talk.session_id}-{item}")


def session_uid(session: Session) -> str:
    return _uid(session.conference, session.year, f"session{session.session_id}")


def _uid(conference: str | None, year: int | None, local: str) -> str:
    """`icml2022-session123-event456@schedscrape`, from the record's own identifiers only: a
    conference or year the record lacks is left out, never stood in for by a placeholder."""
    prefix = f"{(conference or '').lower()}{year or ''}"
    return f"{prefix}-{local}@schedscrape" if prefix else f"{local}@schedscrape"


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
