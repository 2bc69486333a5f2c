"""What the feed and export readers share: the file's context (source, conference-year, problems),
typed access to a record's fields (a value of the wrong type skips the record, with a warning),
canonical event addresses, and titles and abstracts cleaned with the raw text kept."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ValidationError

from schedscrape.models import Problem
from schedscrape.parse.build import PARSER_VERSION, ranges, year_from_url
from schedscrape.parse.conferences import (
    canonical_name,
    conference_of_url,
    host_of,
    named_in_file,
)
from schedscrape.parse.latex import clean_text
from schedscrape.parse.textutil import normalize_space

_SLASHES = re.compile(r"/{2,}")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class BadRecord(Exception):
    """A record of the wrong shape: it is skipped, and the message says why."""


@dataclass
class FileContext:
    """The file's facts every record shares, and the problems found on the way."""

    source: str
    content_sha256: str
    url: str | None = None  # the file's own address (--url)
    year: int | None = None  # --year
    conference: str | None = None  # --conference
    fetched_at: datetime | None = None
    local_zone: tzinfo | None = None  # --tz: for times printed without an offset
    problems: list[Problem] = field(default_factory=list)

    def report(self, message: str, stage: str = "parse", severity: str = "warning") -> None:
        self.problems.append(
            Problem(source=self.source, stage=stage, severity=severity, message=message)
        )

    def place(self, event_url: str | None) -> tuple[str | None, int | None]:
        """An event's conference and year: the year from its address, else the file's, else
        --year, else the file's name; the conference as --conference names it, else as the
        address's site does, else as the file's name does (`eccv-2026-orals-posters.json`:
        the pages of a site the table has no host for name it in their titles)."""
        named, named_year = named_in_file(self.url or self.source) or (None, None)
        year = year_from_url(event_url) or year_from_url(self.url) or self.year or named_year
        name = (
            self.conference
            or conference_of_url(event_url)
            or conference_of_url(self.url)
            or named
        )
        return canonical_name(name, year), year

    def shared(self) -> dict:
        """The fields every talk of the file carries."""
        return {
            "source": self.source,
            "content_sha256": self.content_sha256,
            "parser_version": PARSER_VERSION,
        }


def text(record: dict, key: str, *, number: bool = False) -> str | None:
    """The record's text field as written (None when missing or blank); a whole number is
    text where `number` allows it (an id, a board). Any other type is a BadRecord."""
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, str):
        if not value.isascii() and _LONE_SURROGATE.search(value):  # JSON's "\ud800"
            value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value if value.strip() else None
    if number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if number and isinstance(value, float) and value.is_integer():  # 61001.0: JSON written
        return str(int(value))  # by a tool that reads every number as a float
    raise BadRecord(f"field {key!r} is {type_name(value)}, not text")


def type_name(value: object) -> str:
    names = {dict: "an object", list: "a list", bool: "true/false", int: "a number"}
    return names.get(type(value), "a number" if isinstance(value, float) else type(value).__name__)


def canonical_url(
    url: str | None, conference: str | None = None, site: str | None = None
) -> str | None:
    """`https://ICML.cc//virtual/2024/poster/35005` -> `https://icml.cc/virtual/2024/poster/35005`:
    scheme and host in lower case, no doubled slash; a path alone is put on the site of the
    file's own address (`site`), else on the conference's. None for anything but an http(s)
    address."""
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    scheme, host = parts.scheme.lower(), parts.netloc.lower()
    if not scheme and not host and url.strip().startswith("/"):
        home = urlsplit(site) if site else None
        scheme = home.scheme if home else "https"
        host = home.netloc.lower() if home else host_of(conference) or ""
    if scheme not in ("http", "https") or not host:
        return None
    return urlunsplit((scheme, host, _SLASHES.sub("/", parts.path), parts.query, parts.fragment))


def prose(record: dict, event_id: str, context: FileContext) -> dict:
    """The title (`name`) and abstract, clean and raw; a failed cleanup is a warning, the raw
    text kept as the clean one."""
    fields = {}
    for field_name, key in (("title", "name"), ("abstract", "abstract")):
        raw = text(record, key)
        clean, warning = clean_text(raw) if raw is not None else (None, None)
        if warning:
            context.report(f"event {event_id} {field_name}: {warning}", stage="clean")
        fields |= {field_name: clean or None, f"{field_name}_raw": raw}
    return fields


def validated(model: type[BaseModel], fields: dict) -> BaseModel:
    """The record, or a BadRecord naming the field that failed."""
    try:
        return model(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "record"
        raise BadRecord(f"field {where!r}: {first['msg']}") from None


def people(record: dict, keys: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(name, institution) of each author, from the first of `keys` the record has: a string
    joined by `, ` (the export), or a list of names or of `{fullname, institution}` (the feed).
    An empty institution is None."""
    key = next((key for key in keys if record.get(key) is not None), None)
    value = record.get(key) if key else None
    if value is None:
        return []
    if isinstance(value, str):
        return [(name.strip(), None) for name in value.split(", ") if name.strip()]
    if not isinstance(value, list):
        raise BadRecord(f"field {key!r} is {type_name(value)}, not a list of authors")
    found = []
    for number, person in enumerate(value, start=1):
        if isinstance(person, str):
            name, institution = person, None
        elif isinstance(person, dict):
            name = text(person, "fullname") or text(person, "name")
            institution = text(person, "institution")
        else:
            raise BadRecord(f"author {number} is {type_name(person)}, not a name")
        if name and name.strip():
            found.append((" ".join(name.split()), normalize_space(institution or "") or None))
    return found


def skipped(reasons: dict[str, list[int]], context: FileContext, stage: str) -> None:
    """One warning per reason records were skipped, naming the records."""
    for reason, numbers in reasons.items():
        plural = "s" if len(numbers) > 1 else ""
        context.report(f"record{plural} {ranges(numbers)} skipped: {reason}", stage=stage)
