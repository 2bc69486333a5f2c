"""The "Downloads" events export: a JSON array, or CSV rows, of `{type, name, virtualsite_url,
speakers/authors, abstract}`, one event each. It names no session, time or room, and that is no
error: an export gives events only (`.session` None, like a detail page)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable

from schedscrape.errors import NotADataFile
from schedscrape.models import Event
from schedscrape.parse.build import ParsedPage
from schedscrape.parse.datafiles.records import (
    BadRecord,
    FileContext,
    canonical_url,
    people,
    prose,
    skipped,
    text,
    validated,
)
from schedscrape.parse.htmltree import event_id_of
from schedscrape.parse.textutil import normalize_space

KIND = "export"
AUTHOR_KEYS = ("speakers/authors", "authors", "speakers")
_CSV_COLUMNS = frozenset(["name", "virtualsite_url"])  # a header row with both is an export's


def is_csv_header(line: str) -> bool:
    try:
        names = next(csv.reader([line]), [])
    except csv.Error:
        return False
    return {name.strip().lower() for name in names} >= _CSV_COLUMNS


def is_export(data: object) -> bool:
    """A JSON array with at least one record naming an event address."""
    return isinstance(data, list) and any(
        isinstance(record, dict) and "virtualsite_url" in record for record in data
    )


def read_csv(text_: str, context: FileContext) -> ParsedPage:
    """The CSV form: rows up to one the csv module cannot read are kept, with an error."""
    rows = []
    reader = csv.DictReader(io.StringIO(text_, newline=""))
    try:
        rows.extend(reader)
    except csv.Error as exc:
        where = f"line {reader.line_num}: {exc}"
        if not rows:
            raise NotADataFile(f"not a readable CSV export ({where})") from None
        context.report(f"CSV unreadable from {where}; kept the {len(rows)} rows before it", "error")
    return read_rows(rows, context)


def read_rows(records: Iterable[object], context: FileContext) -> ParsedPage:
    """One event per record with an event address; records of the wrong shape are skipped, with
    one warning per reason, and a repeated event keeps its first record."""
    events: dict[str, Event] = {}
    reasons: dict[str, list[int]] = defaultdict(list)
    for number, record in enumerate(records, start=1):
        try:
            event = _event(record, context)
        except BadRecord as exc:
            reasons[str(exc)].append(number)
            continue
        if event.event_id in events:
            reasons[f"repeats event {event.event_id}; its first record is kept"].append(number)
            continue
        events[event.event_id] = event
    skipped(reasons, context, "parse")
    if not events:
        first = next(iter(reasons), "it holds no record")
        raise NotADataFile(f"an events export with no usable record ({first})")
    return ParsedPage(None, [], KIND, context.problems, list(events.values()))


def _event(record: object, context: FileContext) -> Event:
    if not isinstance(record, dict):
        raise BadRecord("not an object")
    written = text(record, "virtualsite_url")
    url = canonical_url(written, context.conference, context.url)
    event_id = event_id_of(url)
    if not event_id:
        raise BadRecord("its virtualsite_url names no event id")
    conference, year = context.place(url)
    kind = text(record, "type")
    return validated(
        Event,
        {
            "event_id": event_id,
            "conference": conference,
            "year": year,
            "url": url,
            "event_type": normalize_space(kind) if kind else None,
            **prose(record, event_id, context),
            "authors": [name for name, _ in people(record, AUTHOR_KEYS)],
            "sources": [context.source],
        },
    )
