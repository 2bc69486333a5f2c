"""`schedscrape check DIR`: where the sources in an output folder disagree.

Every source's claims about each event are kept in the folder (`event_claims.json`), so what
each one said can be set side by side. Three kinds of disagreement are reported:

- differences: an event's title (the clean one), authors, time or room as two sources give it
  differently, each value with the sources that give it. A source without a value takes no
  part. Rooms are compared ignoring case and spacing ("HALL A" is "Hall A"). The time a session
  page gives an event whose card shows none (`time_source` "session") is the session's span: it
  agrees with any time inside it.
- missing events: an event one source shows and another, expected to show it, does not. Only a
  source that lists a whole scope is expected to show every event of it:
  - a feed, an export, an events list, a list page or a schedule: every event of its
    conference-year of a type it lists (an orals list is not expected to show posters);
  - one session as two sources show it (a session page and the feed's session of the same
    title and conference-year, at times that overlap): each is expected to show the other's
    events.
  A session page is not expected to show other sessions' events, nor a detail page any event
  but its own.
- feed problems: what the feed reader found wrong with a feed (a `count` above its records,
  duplicate records), recorded as problems of stage "feed" in errors.jsonl.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from schedscrape.errors import ScheduleError
from schedscrape.events import Claim
from schedscrape.export.atomic import atomic_text
from schedscrape.export.dataset import Dataset, DatasetError
from schedscrape.export.readback import read_dataset
from schedscrape.export.run import settled_folder
from schedscrape.info import plural
from schedscrape.models import Event, Session

REPORT = "check.json"
# Kinds of source expected to show every event of their conference-year, of the types they list.
LISTING_KINDS = frozenset(["feed", "export", "events list", "list page", "schedule"])
# Kinds of source whose sessions are real sessions (not a list page's row for itself).
SESSION_KINDS = frozenset(["session page", "text rendering", "feed"])
# The stage of the feed reader's problems (truncated count, duplicate records).
FEED_STAGE = "feed"
_COMPARED = ("title", "authors", "room")

EventKey = tuple[str | None, int | None, str]


def check_folder(directory: Path) -> dict[str, Any]:
    """The folder's disagreements, also written to `DIR/check.json`. The folder is read under
    its lock, so a run writing to it is waited for."""
    with settled_folder(directory):
        try:
            dataset, _ = read_dataset(directory)
        except DatasetError as exc:
            raise DatasetError(f"cannot check {directory}: {exc}") from None
        if not (dataset.sessions or dataset.claims):
            raise ScheduleError(f"{directory} holds no sessions or events to compare")
        report = {"folder": str(directory), **disagreements(dataset)}
        with atomic_text(directory / REPORT) as stream:
            json.dump(report, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
    return report


def disagreements(dataset: Dataset) -> dict[str, Any]:
    """What `check.json` holds (but the folder's name), as plain data."""
    claims_of: dict[EventKey, list[Claim]] = defaultdict(list)
    for claim in dataset.claims:
        claims_of[claim.key].append(claim)
    merged = {(e.conference, e.year, e.event_id): e for e in dataset.events}
    session_spans = {
        (talk.source, talk.session_id, talk.event_id)
        for talk in dataset.talks
        if talk.time_source == "session"
    }
    differences = [
        {**_event(merged[key]), **difference}
        for key, claims in claims_of.items()
        for difference in _differences(claims, session_spans)
    ]
    kinds = {claim.source: claim.kind for claim in dataset.claims}
    missing = [
        {**_event(merged[key]), **entry} for key, entry in _missing(dataset, claims_of, kinds)
    ]
    feed_problems = [
        problem.model_dump() for problem in dataset.problems if problem.stage == FEED_STAGE
    ]
    shown: dict[str, set] = defaultdict(set)
    for claim in dataset.claims:
        shown[claim.source].add(claim.key)
    return {
        "agree": not (differences or missing or feed_problems),
        "events": len(dataset.events),
        "sources": [
            {"source": source, "kind": kinds[source], "events": len(shown[source])}
            for source in sorted(kinds)
        ],
        "missing": sorted(missing, key=_order),
        "differences": sorted(differences, key=_order),
        "feed_problems": feed_problems,
    }


def _event(event: Event) -> dict[str, Any]:
    return {
        "conference": event.conference,
        "year": event.year,
        "event_id": event.event_id,
        "title": event.title,
    }


def _order(entry: dict) -> tuple:
    return (
        entry["conference"] or "",
        entry["year"] or 0,
        entry["event_id"],
        entry.get("field") or entry.get("missing_from"),
    )


# --- differences -------------------------------------------------------------------------


def _differences(claims: list[Claim], session_spans: set[tuple]) -> Iterable[dict]:
    if len({claim.source for claim in claims}) < 2:
        return
    for name in _COMPARED:
        values: dict[object, tuple[object, list[str]]] = {}
        for claim in claims:
            value = getattr(claim.event, name)
            if value:
                values.setdefault(_same(name, value), (value, []))[1].append(claim.source)
        if len(values) > 1:
            yield {
                "field": name,
                "values": [
                    {"value": value, "sources": sorted(sources)}
                    for value, sources in values.values()
                ],
            }
    times = _times(claims, session_spans)
    if times:
        yield {"field": "time", "values": times}


def _same(name: str, value: object) -> object:
    """What counts as the same value: rooms ignore case and spacing; lists compare as tuples."""
    if name == "room":
        return _folded(str(value))
    return tuple(value) if isinstance(value, list) else value


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _times(claims: list[Claim], session_spans: set[tuple]) -> list[dict] | None:
    """The distinct times given, if any two of them disagree. A time is an ISO 8601 interval
    (`start/end`, or the start alone), marked when it is the span of the event's session."""
    spans: dict[tuple, tuple[Event, list[str]]] = {}
    for claim in claims:
        event = claim.event
        if event.start is not None:
            of_session = (claim.source, claim.session_id, event.event_id) in session_spans
            spans.setdefault((event.start, event.end, of_session), (event, []))[1].append(
                claim.source
            )
    if all(_agree(a, b) for a, b in combinations(spans, 2)):
        return None
    return [
        {
            "value": "/".join(t.isoformat() for t in (event.start, event.end) if t),
            "session_time": of_session,
            "sources": sorted(sources),
        }
        for (_, _, of_session), (event, sources) in spans.items()
    ]


def _agree(a: tuple, b: tuple) -> bool:
    """Two times agree when equal (an end missing from one is not a difference), or when one is
    a session's span and the other lies inside it."""
    (start_a, end_a, session_a), (start_b, end_b, session_b) = a, b
    if session_a != session_b:
        span, inside = ((start_a, end_a), (start_b, end_b)) if session_a else (b[:2], a[:2])
        return _within(inside, span)
    return start_a == start_b and (end_a is None or end_b is None or end_a == end_b)


def _within(inside: tuple[datetime, datetime | None], span: tuple[datetime, datetime | None]):
    return span[0] <= inside[0] and (inside[1] or inside[0]) <= (span[1] or span[0])


# --- missing events ----------------------------------------------------------------------


def _missing(
    dataset: Dataset, claims_of: dict[EventKey, list[Claim]], kinds: dict[str, str]
) -> Iterable[tuple[EventKey, dict]]:
    """(event, where it is missing) for every event a source is expected to show and does not;
    each event once per source it is missing from."""
    found: dict[tuple[EventKey, str], dict] = {}
    listed = _missing_from_listings(dataset, claims_of)
    for key, source, entry in [*_missing_from_sessions(dataset, kinds), *listed]:
        found.setdefault((key, source), entry)  # the entry naming the session first
    return ((key, entry) for (key, _), entry in found.items())


def _missing_from_listings(
    dataset: Dataset, claims_of: dict[EventKey, list[Claim]]
) -> Iterable[tuple[EventKey, str, dict]]:
    """Events of a listing's conference-year, of a type it lists, that it does not show."""
    listings: dict[str, list[Claim]] = defaultdict(list)
    for claim in dataset.claims:
        if claim.kind in LISTING_KINDS:
            listings[claim.source].append(claim)
    for source, own in listings.items():
        shown = {claim.key for claim in own}
        scope = {(claim.key[:2], claim.event.event_type) for claim in own}
        for key, claims in claims_of.items():
            if key in shown:
                continue
            types = {claim.event.event_type for claim in claims}
            if any((key[:2], kind) in scope for kind in types if kind):
                yield key, source, _where(source, own[0].kind, None, claims)


def _missing_from_sessions(
    dataset: Dataset, kinds: dict[str, str]
) -> Iterable[tuple[EventKey, str, dict]]:
    """Events of one session as two sources show it that only one of them shows."""
    members: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for claim in dataset.claims:
        if claim.session_id:
            members[(claim.source, claim.session_id)].append(claim)
    by_title: dict[tuple, list[Session]] = defaultdict(list)
    for session in dataset.sessions:
        if session.title and kinds.get(session.source) in SESSION_KINDS:
            by_title[(session.conference, session.year, _folded(session.title))].append(session)
    for sessions in by_title.values():
        for has in sessions:
            # The same session as each other source shows it (a feed may split one in two).
            others: dict[str, list[Session]] = defaultdict(list)
            for other in sessions:
                if other.source != has.source and _overlap(has, other):
                    others[other.source].append(other)
            for source, same in others.items():
                lacked = {
                    claim.key for session in same for claim in members[(source, session.session_id)]
                }
                for claim in members[(has.source, has.session_id)]:
                    if claim.key not in lacked:
                        entry = _where(source, kinds[source], same[0], [claim])
                        yield claim.key, source, entry


def _overlap(a: Session, b: Session) -> bool:
    """Whether two sessions of one title may be one: their times overlap, or one has none.
    (A feed's session spans its records' times, which may start after the session.)"""
    if a.start is None or b.start is None:
        return True
    return a.start <= (b.end or b.start) and b.start <= (a.end or a.start)


def _where(source: str, kind: str, session: Session | None, shown_by: list[Claim]) -> dict:
    return {
        "missing_from": source,
        "missing_from_kind": kind,
        "in_session": session.title if session else None,
        "shown_by": sorted({claim.source for claim in shown_by}),
    }


# --- the report as text ------------------------------------------------------------------


def render(report: dict[str, Any]) -> str:
    """The report for a terminal or a log: a verdict line, then each disagreement."""
    missing, differences, feed = report["missing"], report["differences"], report["feed_problems"]
    counted = plural(len(report["sources"]), "source"), plural(report["events"], "event")
    found = len(missing) + len(differences) + len(feed)
    verdict = "the sources agree" if report["agree"] else f"{plural(found, 'disagreement')}"
    lines = [f"{report['folder']}: {counted[0]}, {counted[1]}: {verdict}"]
    if missing:
        lines.append(f"missing events ({len(missing)}):")
        for entry in missing:
            where = f"{entry['missing_from']} ({entry['missing_from_kind']}"
            where += f', session "{entry["in_session"]}")' if entry["in_session"] else ")"
            lines.append(f"  {_name(entry)}: in {', '.join(entry['shown_by'])}; not in {where}")
    if differences:
        lines.append(f"differences ({len(differences)}):")
        for entry in differences:
            lines.append(f"  {_name(entry)}: {entry['field']}")
            for value in entry["values"]:
                shown = value["value"]
                text = "; ".join(shown) if isinstance(shown, list) else str(shown)
                mark = " (the session's time)" if value.get("session_time") else ""
                sources = ", ".join(value["sources"])
                lines.append(f"    {json.dumps(text, ensure_ascii=False)}{mark}: {sources}")
    if feed:
        lines.append(f"feed problems ({len(feed)}):")
        lines += [f"  {p['source']}: {p['severity']}: {p['message']}" for p in feed]
    return "\n".join(lines)


def _name(entry: dict) -> str:
    what = f"{entry['conference'] or '?'} {entry['year'] or '?'} event {entry['event_id']}"
    return f"{what} {json.dumps(entry['title'], ensure_ascii=False)}" if entry["title"] else what
