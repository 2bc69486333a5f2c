"""Pages as `parse_page` gives them once every reader is wired in (issue 10 item 1), built to
that interface here in one place: a session page's `.events` (one per card with an event id,
`sources=[source]`, `session_ids=[session_id]`) and event detail pages (`session` None, one
Event, kind "detail page"). Where the parse side already gives events, `use_parse_side`
leaves its pages alone; once it does for every page, only `detail_page` is still needed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from schedscrape import cli
from schedscrape.events import claims_from_talks
from schedscrape.models import Event
from schedscrape.parse import ParsedPage, parse_page


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
