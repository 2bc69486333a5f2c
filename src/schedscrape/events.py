"""One row per event, from everything the folder's sources say about it.

Each source (a session page, a list, a detail page, a feed) makes a claim about an event. The
merged event takes each group of fields from the most specific source that has it: a detail
page, then a feed, then an export, then a session or list page. Fields that belong together
(a title and its raw text, a start, end and zone) come from one source, never mixed: the first
source whose group has its leading field (the clean title, the start) gives the whole group. A
field that source leaves empty is taken from the next source that says all the same of the
rest (a feed's exact time with no zone abbreviation takes the "PDT" of a page that prints the
same moments). A claim is kept per source, so parsing a source again replaces only what that
source said.

The output folder keeps every claim in `event_claims.json` (see `schedscrape.export.dataset`);
the `events` table is merged from them on every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from schedscrape.models import Event, Talk

# Lower is more specific. Every other kind of page (session page, events list, list page,
# schedule, text rendering) ranks after these.
SOURCE_RANKS = {"detail page": 0, "feed": 1, "export": 2}
_LISTING_RANK = len(SOURCE_RANKS)

FIELD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("url",),
    ("event_type",),
    ("title", "title_raw"),
    ("authors",),
    ("abstract", "abstract_raw"),
    ("start", "end", "timezone", "utc_offset"),
    ("room",),
    ("poster_position",),
    ("openreview_url",),
    ("paper_url",),
    ("poster_url",),
    ("project_url",),
)


@dataclass(frozen=True)
class Claim:
    """What one source, of one kind ("detail page", "session page", ...), says of one event."""

    kind: str
    event: Event

    def __post_init__(self) -> None:
        if len(self.event.sources) != 1 or len(self.event.session_ids) > 1:
            raise ValueError("a claim is one source's: it names one source and at most one session")

    @property
    def source(self) -> str:
        return self.event.sources[0]

    @property
    def session_id(self) -> str | None:
        """The session the claim's page showed the event in; None for a detail page."""
        return self.event.session_ids[0] if self.event.session_ids else None

    @property
    def key(self) -> tuple[str | None, int | None, str]:
        return (self.event.conference, self.event.year, self.event.event_id)

    @property
    def rank(self) -> int:
        return SOURCE_RANKS.get(self.kind, _LISTING_RANK)


def merge_events(claims: Iterable[Claim]) -> list[Event]:
    """One Event per (conference, year, event_id), in the order the events first appear."""
    by_key: dict[tuple, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_key[claim.key].append(claim)
    return [_merged(group) for group in by_key.values()]


def _merged(claims: list[Claim]) -> Event:
    if len(claims) == 1 and _as_merged(claims[0].event):
        return claims[0].event  # what the merge below would rebuild: most events have one claim
    # Most specific first; among equals, a stable order by source so reruns agree.
    ordered = sorted(claims, key=lambda claim: (claim.rank, claim.event.sources))
    conference, year, event_id = claims[0].key
    values: dict = {"event_id": event_id, "conference": conference, "year": year}
    for group in FIELD_GROUPS:
        chosen = next(
            (claim.event for claim in ordered if getattr(claim.event, group[0])),
            None,
        )
        if chosen is not None:
            values |= _completed(group, chosen, [claim.event for claim in ordered])
    values["session_ids"] = sorted({sid for claim in claims for sid in claim.event.session_ids})
    values["sources"] = sorted({source for claim in claims for source in claim.event.sources})
    return Event(**values)


def _completed(group: tuple[str, ...], chosen: Event, events: list[Event]) -> dict:
    """The group's fields as `chosen` gives them, each it leaves empty taken from the first
    of `events` that gives it and agrees with every field `chosen` does give."""
    values = {name: getattr(chosen, name) for name in group}
    given = {name: value for name, value in values.items() if value}
    for name in group:
        if not values[name]:
            values[name] = next(
                (
                    getattr(event, name)
                    for event in events
                    if getattr(event, name)
                    and all(getattr(event, field) == value for field, value in given.items())
                ),
                values[name],
            )
    return values


_DEFAULTS = {
    name: field.get_default(call_default_factory=True) for name, field in Event.model_fields.items()
}


def _as_merged(event: Event) -> bool:
    """Whether each group of the event's fields has its leading field or is all defaults, as
    merging the event alone leaves it."""
    return all(
        getattr(event, group[0]) or all(getattr(event, name) == _DEFAULTS[name] for name in group)
        for group in FIELD_GROUPS
    )


_FROM_TALK = [name for name in Event.model_fields if name in Talk.model_fields]


def claims_from_talks(talks: Iterable[Talk]) -> list[Claim]:
    """The claims a folder written before the events table holds: each talk with an event id,
    as its session page showed it."""
    return [
        Claim(
            "session page",
            Event(
                **{name: getattr(talk, name) for name in _FROM_TALK},
                session_ids=[talk.session_id],
                sources=[talk.source],
            ),
        )
        for talk in talks
        if talk.event_id
    ]
