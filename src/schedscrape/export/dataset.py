"""The output folder as a dataset: sessions, talks and talk_authors, keyed by session.

A run merges into what is already there: a session parsed again replaces all of its earlier
rows, so nothing is duplicated and nothing stale is left behind.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from schedscrape.errors import ScheduleError
from schedscrape.models import Session, Talk, TalkAuthor
from schedscrape.parse import ParsedPage

TABLES: dict[str, type[BaseModel]] = {
    "sessions": Session,
    "talks": Talk,
    "talk_authors": TalkAuthor,
}


class DatasetError(ScheduleError):
    """The existing output folder cannot be read back for merging."""

    stage = "export"


@dataclass
class Dataset:
    sessions: list[Session] = field(default_factory=list)
    talks: list[Talk] = field(default_factory=list)
    _rows: dict[str, list[dict]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_pages(cls, pages: Iterable[ParsedPage]) -> Dataset:
        """One entry per session; a session seen twice keeps its last page."""
        latest = {page.session.session_id: page for page in pages if page.session is not None}
        return cls(
            sessions=[page.session for page in latest.values()],
            talks=[talk for page in latest.values() for talk in page.talks],
        )

    def records(self, name: str) -> list[BaseModel] | None:
        """The table's pydantic records, or None for a table derived as plain rows."""
        return None if name == "talk_authors" else getattr(self, name)

    def rows(self, name: str) -> list[dict]:
        """A table as `model_dump()` dicts, computed once and shared by every writer."""
        if name not in self._rows:
            if name == "talk_authors":
                # Derived from validated talks, so built as plain rows: 32,000 models are slow.
                rows = [
                    {
                        "session_id": talk.session_id,
                        "position": talk.position,
                        "author_position": number,
                        "name": author,
                        "institution": None,
                    }
                    for talk in self.talks
                    for number, author in enumerate(talk.authors, start=1)
                ]
            else:
                rows = [record.model_dump() for record in getattr(self, name)]
            self._rows[name] = rows
        return self._rows[name]

    def merged_with(self, newer: Dataset) -> Dataset:
        """This dataset with every session in `newer` replaced by (or added as) its new rows."""
        replaced = {session.session_id for session in newer.sessions}
        sessions = [s for s in self.sessions if s.session_id not in replaced]
        talks = [t for t in self.talks if t.session_id not in replaced]
        return Dataset(sessions + newer.sessions, talks + newer.talks)

    @classmethod
    def read(cls, directory: Path) -> Dataset:
        """What an earlier run left in `directory`: JSON (exact), else Parquet, else nothing."""
        try:
            return cls(
                sessions=_read_table(directory, "sessions", Session),
                talks=_read_table(directory, "talks", Talk),
            )
        except (OSError, ValueError, ValidationError) as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise DatasetError(
                f"cannot merge into {directory}: existing output unreadable ({first_line}); "
                "use --fresh to start over"
            ) from None


def _read_table(directory: Path, name: str, model: type[BaseModel]) -> list:
    json_path, parquet_path = directory / f"{name}.json", directory / f"{name}.parquet"
    if json_path.exists():
        rows = json.loads(json_path.read_text(encoding="utf-8"))
    elif parquet_path.exists():
        import pyarrow.parquet as pq  # on use: a slow import the crawl start-up can skip

        rows = pq.read_table(parquet_path).to_pylist()
    else:
        return []
    return [model.model_validate(row) for row in rows]
