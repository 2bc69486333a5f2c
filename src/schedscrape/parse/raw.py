"""What a page says, as strings, before any cleaning: the hand-off from the HTML and text readers
to the record builder. Keeping this stage separate lets both readers share one set of rules."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class RawCard:
    """One talk card as printed on the page."""

    title: str | None = None
    href: str | None = None
    authors: str | None = None
    abstract: str | None = None
    event_type: str | None = None
    poster_position: str | None = None
    time: str | None = None
    event_id: str | None = None  # where the page states it (data-event-id, a canonical URL)
    room: str | None = None  # the card's own room, if it shows one
    openreview_url: str | None = None
    paper_url: str | None = None
    poster_url: str | None = None
    project_url: str | None = None


@dataclass
class RawPage:
    """A session page's header and cards, plus page-level hints and problems found on the way."""

    title: str | None = None
    session_type: str | None = None
    room: str | None = None
    moderators: str | None = None
    time: str | None = None
    session_id: str | None = None
    canonical_url: str | None = None
    site_label: str | None = None  # "ICML 2025", from the <title>
    default_zone: str | None = None  # "Timezone: ..." header on day pages
    cards: list[RawCard] = field(default_factory=list)
    truncated: bool = False
    kind: str = "session page"  # which reader read it: "events list", "detail page", ...
    listed_count: int | None = None  # the count the page claims ("75 Events"), to check against
    witness: RawCard | None = None  # a second statement of the card (a detail page's JSON-LD)
