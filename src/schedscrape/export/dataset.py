"""The output folder as a dataset: sessions, talks and talk_authors, keyed by session; what each
source says of each event (its claims, kept in `event_claims.json`), merged into the events
table; and the problems of every source that gave them (errors.jsonl).

A run merges into what is already there: a session parsed again replaces all of its earlier
rows, so nothing is duplicated and nothing stale is left behind. A source parsed again replaces
its earlier problems; the problems of sources not parsed again stay.

Claims follow the rows they came with: a session page's claims are kept exactly as long as the
copy of its session they came with, so a session parsed again replaces them too. A detail page,
which gives no session, is keyed by its source: parsed again, its new claims replace its old.
The events table is merged from the claims each time, so what one source said is never mixed
into another's, and a detail page parsed before or after its session page gives the same row.

A copy of a session whose page reported an error (a truncated download) is incomplete: it never
replaces a complete copy, in the same run or already in the folder, and the copy left out is
named in a warning. Between two incomplete copies the one with more talks is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlsplit

from pydantic import BaseModel

from schedscrape.errors import ScheduleError
from schedscrape.events import Claim, merge_events
from schedscrape.links import same_site
from schedscrape.models import Event, Problem, Session, Talk, TalkAuthor
from schedscrape.parse import ParsedPage

TABLES: dict[str, type[BaseModel]] = {
    "sessions": Session,
    "talks": Talk,
    "talk_authors": TalkAuthor,
    "events": Event,
}


class DatasetError(ScheduleError):
    """The existing output folder cannot be read back for merging."""

    stage = "export"


@dataclass
class Dataset:
    """The folder's records. Treated as immutable once built: the events and rows derived
    from it are computed once."""

    sessions: list[Session] = field(default_factory=list)
    talks: list[Talk] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    # Each talk's authors' institutions where a source names them (a feed): by session_id and
    # position, one entry per author (None where the source names none).
    institutions: dict[tuple[str, int], list[str | None]] = field(default_factory=dict)
    _rows: dict[str, list[dict]] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_pages(cls, pages: Iterable[ParsedPage]) -> Dataset:
        """One entry per session, with every page's problems and the claims of the pages kept.

        A session seen twice keeps its last complete copy (or, with none complete, the one
        with the most talks); an incomplete copy left out is named in a warning. A page with
        no session (a detail page) keeps its claims, the last page of each source.
        """
        pages = list(pages)
        problems = [problem for page in pages for problem in page.problems]
        pages = [part for page in pages for part in page.parts or [page]]  # a feed's sessions
        broken = _incomplete(problems)
        kept: dict[str, ParsedPage] = {}
        sessionless: dict[str, list[Claim]] = {}
        for page in pages:
            if page.session is None:
                claims = _claims(page)
                if claims:
                    sessionless[claims[0].source] = claims
                continue
            earlier = kept.setdefault(page.session.session_id, page)
            if earlier is page:
                continue
            winner, loser = earlier, page
            if _rank(page.session, broken) >= _rank(earlier.session, broken):
                winner, loser = page, earlier
            kept[page.session.session_id] = winner
            if loser.session.source in broken:
                problems.append(_left_out(loser.session, winner.session, broken))
            elif not _same_session(loser.session, winner.session):
                problems.append(_replaced(loser.session, winner.session))
        return cls(
            sessions=[page.session for page in kept.values()],
            talks=[talk for page in kept.values() for talk in page.talks],
            problems=problems,
            claims=[claim for page in kept.values() for claim in _claims(page)]
            + [claim for claims in sessionless.values() for claim in claims],
            institutions={
                key: names for page in kept.values() for key, names in page.institutions.items()
            },
        )

    @cached_property
    def events(self) -> list[Event]:
        """One row per event, merged from every claim."""
        return merge_events(self.claims)

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
                        "institution": institution,
                    }
                    for talk in self.talks
                    for number, (author, institution) in enumerate(
                        zip(talk.authors, self._institutions(talk), strict=True), start=1
                    )
                ]
            else:
                rows = [record.model_dump() for record in getattr(self, name)]
            self._rows[name] = rows
        return self._rows[name]

    def _institutions(self, talk: Talk) -> list[str | None]:
        named = self.institutions.get((talk.session_id, talk.position), [])
        return [*named[: len(talk.authors)], *[None] * (len(talk.authors) - len(named))]

    def sources(self) -> set[str]:
        """The files or URLs this dataset's sessions, claims and problems come from."""
        return (
            {s.source for s in self.sessions}
            | {c.source for c in self.claims}
            | {p.source for p in self.problems}
        )

    def merged_with(self, newer: Dataset) -> Dataset:
        """This dataset with every session in `newer` replaced by (or added as) its new rows,
        unless the new copy is incomplete and the one here is not; without the sessions here
        of a source `newer` gives sessions of completely (a feed read again whose session was
        renamed or emptied); with the claims of every source `newer` has claims of replaced
        by `newer`'s; and with the problems of every source `newer` covers replaced by
        `newer`'s."""
        old_broken, new_broken = _incomplete(self.problems), _incomplete(newer.problems)
        here = {session.session_id: session for session in self.sessions}
        notes = []
        for session in newer.sessions:
            old = here.get(session.session_id)
            if old is None or _rank(old, old_broken) <= _rank(session, new_broken):
                here.pop(session.session_id, None)
                if old is not None and not _same_session(old, session):
                    notes.append(_replaced(old, session, in_folder=True))
            else:
                notes.append(_left_out(session, old, old_broken, in_folder=True))
        resent = {s.source for s in newer.sessions if s.source not in new_broken}
        kept_old = {sid for sid, session in here.items() if session.source not in resent}
        parsed_again = newer.sources()
        claimed_again = {claim.source for claim in newer.claims}
        return Dataset(
            sessions=[s for s in self.sessions if s.session_id in kept_old]
            + [s for s in newer.sessions if s.session_id not in kept_old],
            talks=[t for t in self.talks if t.session_id in kept_old]
            + [t for t in newer.talks if t.session_id not in kept_old],
            problems=[p for p in self.problems if p.source not in parsed_again]
            + newer.problems
            + notes,
            claims=[
                c
                for c in self.claims
                if (c.session_id in kept_old if c.session_id else c.source not in claimed_again)
            ]
            + [c for c in newer.claims if c.session_id not in kept_old],
            institutions={
                **{k: v for k, v in self.institutions.items() if k[0] in kept_old},
                **{k: v for k, v in newer.institutions.items() if k[0] not in kept_old},
            },
        )


def _claims(page: ParsedPage) -> list[Claim]:
    return [Claim(page.kind, event) for event in page.events]


def _incomplete(problems: Iterable[Problem]) -> set[str]:
    """Sources whose page reported an error yet gave a session: an incomplete copy."""
    return {problem.source for problem in problems if problem.severity == "error"}


def _rank(session: Session, broken: set[str]) -> tuple[bool, int]:
    """Complete copies first; between incomplete ones, more talks first."""
    complete = session.source not in broken
    return complete, 0 if complete else session.talk_count


def _same_session(one: Session, other: Session) -> bool:
    """Whether two sessions of one id can be the same session: of one conference-year where
    both name theirs, and on one site where both have an address."""
    if None not in (one.conference, other.conference) and one.conference != other.conference:
        return False
    if None not in (one.year, other.year) and one.year != other.year:
        return False
    return one.url is None or other.url is None or same_site(one.url, other.url)


def _replaced(old: Session, new: Session, *, in_folder: bool = False) -> Problem:
    """Two sessions that share an id and are not one session: the later replaces the
    earlier, as the key demands; said, never silent."""
    where = "in the folder" if in_folder else "parsed before it"
    return Problem(
        source=new.source,
        stage="merge",
        severity="warning",
        message=f"session {new.session_id} ({_describe(new)}) replaces another session of the "
        f"same id {where} ({_describe(old)}, from {old.source}); keep each site in its own "
        "output folder to keep both",
    )


def _describe(session: Session) -> str:
    conference_year = " ".join(str(part) for part in (session.conference, session.year) if part)
    host = urlsplit(session.url).netloc if session.url else None
    return ", ".join(part for part in (conference_year, host) if part) or "no conference known"


def _left_out(
    session: Session, kept: Session, broken: set[str], *, in_folder: bool = False
) -> Problem:
    how = "complete copy" if kept.source not in broken else "copy with more talks"
    where = f"already in the folder (from {kept.source})" if in_folder else f"from {kept.source}"
    return Problem(
        source=session.source,
        stage="merge",
        severity="warning",
        message=f"incomplete copy of session {session.session_id} not used: "
        f"the {how} {where} is kept",
    )
