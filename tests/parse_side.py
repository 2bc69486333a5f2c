"""Pages as `parse_page` gives them once every reader is wired in (issues 10 and 11), built to
that interface here in one place: a session page's `.events` (one per card with an event id,
`sources=[source]`, `session_ids=[session_id]`), event detail pages (`session` None, one
Event, kind "detail page"), and a feed's sessions (kind "feed", one page per session name).
Where the parse side already gives events, `use_parse_side` leaves its pages alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from schedscrape import cli
from schedscrape.events import claims_from_talks
from schedscrape.models import Event, Problem, Session, Talk
from schedscrape.parse import PARSER_VERSION, ParsedPage, parse_page


def with_events(page: ParsedPage) -> ParsedPage:
    """A session page with the events its cards show."""
    if page.session is None or page.events or not any(talk.event_id for talk in page.talks):
        return page
    events = [claim.event for claim in claims_from_talks(page.talks)]
    return dataclasses.replace(page, events=events)


def detail_page(source: Path | str, event_id: str, **fields) -> ParsedPage:
    """An event detail page of ICML 2025 (the conference-year of the poster session fixture)."""
    fields = {"conference": "ICML", "year": 2025, "event_type": "Poster", **fields}
    event = Event(event_id=event_id, sources=[str(source)], **fields)
    return ParsedPage(session=None, talks=[], kind="detail page", events=[event])


def feed_pages(
    source: Path | str,
    sessions: dict[str, list[dict]],
    problems: list[str] = (),
    kind: str = "feed",
) -> list[ParsedPage]:
    """An ICML 2025 feed (or another listing `kind`): per session name, its records (Event
    fields, an `event_id` each), as sessions, talks and events; `problems` are the feed
    reader's warnings (stage "feed")."""
    source, pages = str(source), []
    for name, records in sessions.items():
        session_id = f"feed-{len(pages) + 1}"
        common = {"conference": "ICML", "year": 2025, "event_type": "Poster"}
        events = [
            Event(**{**common, **record}, session_ids=[session_id], sources=[source])
            for record in records
        ]
        shared = {"source": source, "content_sha256": "0" * 64, "parser_version": PARSER_VERSION}
        talks = [
            Talk(
                session_id=session_id,
                position=position,
                time_source="talk" if event.start else None,
                **shared,
                **{name: getattr(event, name) for name in _TALK_FIELDS},
            )
            for position, event in enumerate(events, start=1)
        ]
        starts = [event.start for event in events if event.start]
        ends = [event.end for event in events if event.end]
        session = Session(
            session_id=session_id,
            conference="ICML",
            year=2025,
            title=name,
            start=min(starts, default=None),
            end=max(ends, default=None),
            talk_count=len(talks),
            **shared,
        )
        pages.append(ParsedPage(session=session, talks=talks, kind=kind, events=events))
    pages[-1].problems.extend(
        Problem(source=source, stage="feed", severity="warning", message=message)
        for message in problems
    )
    return pages


_TALK_FIELDS = [name for name in Event.model_fields if name in Talk.model_fields]


def use_parse_side(monkeypatch: pytest.MonkeyPatch) -> dict[str, ParsedPage]:
    """`schedscrape parse` with the parse side above: session pages give their events, and a
    file whose path is a key of the returned dict is parsed as that (detail) page."""
    pages: dict[str, ParsedPage] = {}

    def parse(data, **options):
        if options.get("source") in pages:
            return pages[options["source"]]
        return with_events(parse_page(data, **options))

    monkeypatch.setattr(cli, "parse_page", parse)
    return pages


def saved_detail_page(pages: dict[str, ParsedPage], path: Path, event_id: str, **fields) -> Path:
    """A file at `path` that `schedscrape parse` reads as the detail page of `event_id`."""
    path.write_text(f"<html><body>event {event_id}</body></html>", encoding="utf-8")
    pages[str(path)] = detail_page(path, event_id, **fields)
    return path
