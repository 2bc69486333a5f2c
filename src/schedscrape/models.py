"""The records schedscrape produces. These models are the single source of field names and types:
exporters derive their columns and the Parquet schema from them."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _TimedRecord(_Record):
    """A record with `start`/`end`: an end never precedes its start.

    The fields are declared on each model so columns keep the contract's order.
    """

    @model_validator(mode="after")
    def _end_not_before_start(self) -> Self:
        start, end = getattr(self, "start", None), getattr(self, "end", None)
        if start and end and end < start:
            raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
        return self


class Session(_TimedRecord):
    """One session page: a poster session, an oral session, a workshop track."""

    session_id: str
    conference: str | None = None
    year: int | None = None
    url: str | None = None
    title: str | None = None
    session_type: str | None = None
    room: str | None = None
    moderators: list[str] = Field(default_factory=list)
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: str | None = None
    time_raw: str | None = None
    talk_count: int = Field(ge=0)
    source: str
    content_sha256: str
    fetched_at: AwareDatetime | None = None
    parser_version: str
    utc_offset: str | None = None  # "-07:00": the offset the page's times carry


class Talk(_TimedRecord):
    """One appearance of an event (paper, poster, oral) in a session; key: session_id + position."""

    session_id: str
    position: int = Field(ge=1)
    event_id: str | None = None
    event_type: str | None = None
    url: str | None = None
    title: str | None = None
    title_raw: str | None = None
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    abstract_raw: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: str | None = None
    time_raw: str | None = None
    time_source: Literal["talk", "session"] | None = None
    poster_position: str | None = None
    room: str | None = None  # the talk's own, else its session's
    utc_offset: str | None = None
    conference: str | None = None
    year: int | None = None
    source: str
    content_sha256: str
    parser_version: str


class Event(_TimedRecord):
    """One event (a paper, talk, workshop...), merged from every source that shows it.

    Key: conference + year + event_id. Each field comes from the most specific source that has
    it: a detail page, then a feed, then a session or list page (see `schedscrape.events`).
    """

    event_id: str
    conference: str | None = None
    year: int | None = None
    url: str | None = None
    event_type: str | None = None
    title: str | None = None
    title_raw: str | None = None
    authors: list[str] = Field(default_factory=list)
    abstract: str | None = None
    abstract_raw: str | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    timezone: str | None = None
    utc_offset: str | None = None
    room: str | None = None
    poster_position: str | None = None
    session_ids: list[str] = Field(default_factory=list)
    openreview_url: str | None = None
    paper_url: str | None = None
    poster_url: str | None = None
    project_url: str | None = None
    sources: list[str] = Field(default_factory=list)


class TalkAuthor(_Record):
    """One (talk, author) pair, so authors can be joined and counted without splitting strings."""

    session_id: str
    position: int = Field(ge=1)
    author_position: int = Field(ge=1)
    name: str
    institution: str | None = None  # where a source names it (feeds); pages do not


class Problem(_Record):
    """A failed page or a dropped field, as written to errors.jsonl."""

    source: str
    stage: str
    severity: Literal["error", "warning"]
    message: str
