"""`schedscrape info DIR`: what an output folder holds, without writing pandas.

Per conference-year: sessions, talks, events and authors, the time range and the share of talks
with exact times. Then the folder's problems by kind, and the duplicates an analyst should know
about before counting anything: one event shown in several sessions, one author under several
spellings.
"""

from __future__ import annotations

import json
import numbers
import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from schedscrape.errors import ScheduleError
from schedscrape.load import load
from schedscrape.wording import plural

_NUMBERS = re.compile(r"\d+")
# Where a message's detail starts: "kind: detail", "kind (detail)", "kind 'quoted'".
_DETAIL = re.compile(r": |\(|;|'|\"")


class EmptyFolder(ScheduleError):
    """The folder holds no schedscrape output: a summary of nothing would mislead."""

    stage = "info"


def summarise(directory: Path) -> dict[str, Any]:
    """The folder's summary as plain data: what `--json` prints and the table is drawn from."""
    tables = load(directory)
    talks, authors, events = tables.talks, tables.talk_authors, tables.events
    if tables.sessions.empty and talks.empty and events.empty:
        raise EmptyFolder(f"{directory} holds no sessions, talks or events")
    author_rows = authors.merge(
        talks[["session_id", "position", "conference", "year"]], on=["session_id", "position"]
    )
    frames = {"sessions": tables.sessions, "talks": talks, "authors": author_rows, "events": events}
    parts = {name: _by_conference_year(frame) for name, frame in frames.items()}
    return {
        "folder": str(directory),
        "conference_years": [
            _conference_year(
                key, **{name: parts[name].get(key, frame[:0]) for name, frame in frames.items()}
            )
            for key in sorted(set().union(*parts.values()), key=_order)
        ],
        "problems": _problems(directory / "errors.jsonl"),
        "duplicates": {
            "events_in_several_sessions": _repeated_events(talks),
            "authors_with_several_spellings": _spellings(authors["name"].dropna().tolist()),
        },
    }


def _order(key: tuple) -> tuple:
    return (key[0] or "", key[1] or 0)


def _by_conference_year(frame) -> dict[tuple, Any]:
    """A table split by (conference, year), with missing values as None."""
    rows: dict[tuple, list[int]] = defaultdict(list)
    for index, conference, year in zip(
        frame.index, frame["conference"], frame["year"], strict=True
    ):
        rows[(_plain(conference), _plain(year))].append(index)
    return {key: frame.loc[indexes] for key, indexes in rows.items()}


def _plain(value):
    """A pandas cell as JSON-ready Python: NA and NaN become None, numpy integers int."""
    import pandas as pd

    if pd.isna(value):
        return None
    return int(value) if isinstance(value, numbers.Integral) else value


def _conference_year(key: tuple, sessions, talks, authors, events) -> dict[str, Any]:
    conference, year = key
    timed = talks["start"].notna()
    starts, ends = talks["start"].dropna(), talks["end"].dropna()
    return {
        "conference": conference,
        "year": year,
        "sessions": len(sessions),
        "talks": len(talks),
        "events": len(events),
        "authors": int(authors["name"].nunique()),
        "first_start": starts.min().isoformat() if len(starts) else None,
        "last_end": ends.max().isoformat() if len(ends) else None,
        "exact_times": round(float(timed.mean()), 4) if len(talks) else None,
    }


def _problems(path: Path) -> dict[str, Any]:
    """errors.jsonl counted by severity and by kind (the message's words before any detail)."""
    by_kind: Counter[tuple[str, str, str]] = Counter()
    if path.exists():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                problem = json.loads(line)
                key = (problem["severity"], problem["stage"], _kind(problem["message"]))
            except (ValueError, KeyError, TypeError):
                raise ScheduleError(f"{path}: line {number} is not a problem record") from None
            by_kind[key] += 1
    return {
        "errors": sum(count for (severity, *_), count in by_kind.items() if severity == "error"),
        "warnings": sum(
            count for (severity, *_), count in by_kind.items() if severity == "warning"
        ),
        "by_kind": [
            {"severity": severity, "stage": stage, "kind": kind, "count": count}
            for (severity, stage, kind), count in by_kind.most_common()
        ],
    }


def _kind(message: str) -> str:
    """`login required: https://…` → `login required`; numbers become N so counts group."""
    head = _DETAIL.split(str(message), maxsplit=1)[0].strip()
    return _NUMBERS.sub("N", head)[:80] or "(no message)"


def _repeated_events(talks) -> list[dict[str, Any]]:
    """Events that appear in more than one session (an oral and its poster, say)."""
    shown = talks.dropna(subset=["event_id"])
    sessions_of: dict[tuple, set[str]] = defaultdict(set)
    for row in shown.itertuples():
        sessions_of[(_plain(row.conference), _plain(row.year), row.event_id)].add(row.session_id)
    return [
        {"conference": conference, "year": year, "event_id": event, "sessions": sorted(ids)}
        for (conference, year, event), ids in sorted(sessions_of.items(), key=str)
        if len(ids) > 1
    ]


def _spellings(names: list[str]) -> list[list[str]]:
    """Names that differ only in accents, case, spacing or punctuation (`Gühring`, `Guhring`)."""
    groups: dict[str, set[str]] = defaultdict(set)
    for name in names:
        groups[_name_key(name)].add(name)
    return sorted(sorted(spellings) for spellings in groups.values() if len(spellings) > 1)


def _name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    letters = (char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in "".join(letters).casefold() if char.isalnum())


def render(summary: dict[str, Any]) -> str:
    """The summary as a plain table for a terminal or a log."""
    header = (
        "conference",
        "year",
        "sessions",
        "talks",
        "events",
        "authors",
        "exact times",
        "first start (UTC)",
        "last end (UTC)",
    )
    rows = [
        (
            entry["conference"] or "?",
            entry["year"] or "?",
            entry["sessions"],
            entry["talks"],
            entry["events"],
            entry["authors"],
            "-" if entry["exact_times"] is None else f"{entry['exact_times']:.0%}",
            (entry["first_start"] or "-")[:16],
            (entry["last_end"] or "-")[:16],
        )
        for entry in summary["conference_years"]
    ]
    lines = [f"{summary['folder']}:", *_aligned([header, *rows]), ""]
    problems = summary["problems"]
    lines.append(
        f"problems: {plural(problems['errors'], 'error')}, "
        f"{plural(problems['warnings'], 'warning')}"
    )
    lines += [
        f"  {kind['count']:>5}  {kind['severity']:<7} {kind['stage']:<8} {kind['kind']}"
        for kind in problems["by_kind"]
    ]
    duplicates = summary["duplicates"]
    events, spellings = (
        duplicates["events_in_several_sessions"],
        duplicates["authors_with_several_spellings"],
    )
    lines.append(f"events in several sessions: {len(events)}")
    lines += [
        f"  {event['conference']} {event['year']} event {event['event_id']}: "
        f"sessions {', '.join(event['sessions'])}"
        for event in events
    ]
    lines.append(f"authors with several spellings: {len(spellings)}")
    lines += [f"  {' | '.join(names)}" for names in spellings]
    return "\n".join(lines)


def _aligned(rows: list[tuple]) -> list[str]:
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(cells[0]))]
    return [
        "  ".join(
            cell.ljust(width) if column < 2 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in cells
    ]
