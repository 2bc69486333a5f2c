"""Time slots as the sites print them, read into exact, timezone-aware datetimes.

The server renders times in the viewer's zone and prints only an abbreviation or a numeric
offset, so the zone is always read from the text, through an explicit table; nothing is assumed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("mon", "monday"),
            ("tue", "tues", "tuesday"),
            ("wed", "wednesday"),
            ("thu", "thur", "thurs", "thursday"),
            ("fri", "friday"),
            ("sat", "saturday"),
            ("sun", "sunday"),
        ]
    )
    for name in names
}

# Abbreviations and their UTC offsets in hours. Only unambiguous ones: "IST" (India, Israel,
# Ireland), "CST" (US Central, China), "BST", "AST" and "GST" mean different zones on
# different sites, so they are listed in AMBIGUOUS_ZONES instead of guessed.
ZONE_OFFSETS: dict[str, float] = {
    "UTC": 0,
    "GMT": 0,
    "WET": 0,
    "WEST": 1,
    "CET": 1,
    "CEST": 2,
    "EET": 2,
    "EEST": 3,
    "MSK": 3,
    "PKT": 5,
    "NPT": 5.75,
    "ICT": 7,
    "WIB": 7,
    "HKT": 8,
    "SGT": 8,
    "AWST": 8,
    "PHT": 8,
    "KST": 9,
    "JST": 9,
    "ACST": 9.5,
    "ACDT": 10.5,
    "AEST": 10,
    "AEDT": 11,
    "NZST": 12,
    "NZDT": 13,
    "HST": -10,
    "HDT": -9,
    "AKST": -9,
    "AKDT": -8,
    "PST": -8,
    "PDT": -7,
    "MST": -7,
    "MDT": -6,
    "CDT": -5,
    "EST": -5,
    "EDT": -4,
    "ADT": -3,
    "NST": -3.5,
    "NDT": -2.5,
    "BRT": -3,
    "ART": -3,
    "CLT": -4,
    "CLST": -3,
    "COT": -5,
    "PET": -5,
    "SAST": 2,
    "CAT": 2,
    "EAT": 3,
    "WAT": 1,
}
AMBIGUOUS_ZONES = {
    "IST": "India +5:30, Israel +2 or Ireland +1",
    "CST": "US Central -6, China +8 or Cuba -5",
    "BST": "British +1 or Bangladesh +6",
    "AST": "Atlantic -4 or Arabia +3",
    "GST": "Gulf +4 or South Georgia -2",
}

_MERIDIEM = r"(?:[ap]\.?\s?m\.?(?![a-z]))"
_CLOCK = rf"(?:noon|midnight|\d{{1,2}}(?::\d{{2}})?(?:\s*{_MERIDIEM})?)"
_ZONE = r"(?-i:(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5}(?![A-Za-z]))"
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?"
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"


def _date_pattern(prefix: str) -> str:
    """A weekday-optional date, month first or day first, year optional; groups named by prefix."""
    return (
        rf"(?:(?P<{prefix}wd>{_WEEKDAY})\s+)?"
        rf"(?:(?P<{prefix}d1>{_DAY})\s+(?P<{prefix}m1>{_MONTH})"
        rf"|(?P<{prefix}m2>{_MONTH})\s+(?P<{prefix}d2>{_DAY}))"
        rf"(?:,?\s+(?P<{prefix}y>\d{{4}}))?"
    )


_RANGE = (
    _date_pattern("a_")
    + rf"\s*[,•@·]?\s*(?P<t1>{_CLOCK})(?:\s*(?P<z1>{_ZONE}))?"
    + rf"(?:\s*(?:-{{1,2}}|–|—|to)\s*(?:{_date_pattern('b_')}\s*[,•@·]?\s*)?"
    + rf"(?P<t2>{_CLOCK})(?:\s*(?P<z2>{_ZONE}))?)?"
)
_FULL = re.compile(rf"^\s*{_RANGE}\s*$", re.IGNORECASE)
# Every slot has a clock reading with a digit ("12:30", "11 a.m.", "1 PM"); "noon" and
# "midnight" only ever appear together with one. Case-sensitive classes keep this fast.
# The substring tests in find_time_range: the sites print "12:30", "11 a.m." or "11 AM"
# (a bare "11am" is not seen on them), and "noon" or "midnight".
_CLOCK_HINT = re.compile(r"\d(?::\d|\s?[aApP]\.?\s?[mM])")
_SEARCH = re.compile(rf"(?<![\w]){_RANGE}(?![\w])", re.IGNORECASE)


class TimeParseError(ValueError):
    """The text looks like a time slot but cannot be read exactly (unknown zone, bad date)."""


class MissingContext(TimeParseError):
    """The slot reads fine but needs what only the user can give: its year or its zone. A page
    that lacks it lacks it for every slot, so it is reported once per page, not per slot."""

    problem = "times lack a year or a zone"  # what the page-level warning says
    remedy = ""

    def __init__(self, message: str, raw: str) -> None:
        super().__init__(message)
        self.raw = raw


class MissingYear(MissingContext):
    problem = "times print no year"
    remedy = "pass --year or --url"


class MissingZone(MissingContext):
    """2026 events lists and pre-2020 schedules print no zone at all."""

    problem = "times name no zone"
    remedy = "give it with --tz (an IANA name such as Asia/Seoul, or +09:00)"


@dataclass(frozen=True)
class TimeRange:
    """A parsed slot; `timezone` is the label as shown ("PDT", "-03"). `weekday_clash` says
    when a printed weekday is not the weekday of the date in the year used."""

    start: datetime
    end: datetime | None
    timezone: str
    weekday_clash: str | None = None

    @functools.cached_property
    def utc_offset(self) -> str | None:
        return utc_offset(self.start)


def might_hold_time(text: str) -> bool:
    """A cheap first test: the full pattern is slow to try at every offset, and most card text
    has no clock at all. Substring tests (memchr-fast) rule most of it out."""
    return (
        ":" in text
        or ".m." in text
        or "AM" in text
        or "PM" in text
        or "noon" in text
        or "midnight" in text
    )


def find_time_range(text: str) -> str | None:
    """The first thing in `text` that reads as a dated time slot, as written."""
    if not might_hold_time(text) or _CLOCK_HINT.search(text) is None:
        return None
    match = _SEARCH.search(" ".join(text.split()))
    return match.group(0) if match else None


def is_time_range(line: str) -> bool:
    """True when the whole line is a dated time slot (a talk's time line in text renderings)."""
    return _FULL.match(line) is not None


def explicit_year(raw: str) -> int | None:
    """The year printed in the slot itself (2026 redesign: "Thu, Apr 23, 2026 • ...")."""
    match = _FULL.match(raw)
    return int(match.group("a_y")) if match and match.group("a_y") else None


def infer_year(raw: str, today: date | None = None) -> int | None:
    """The latest year, not in the future, in which the slot's date falls on its weekday."""
    match = _FULL.match(raw)
    if not match or not match.group("a_wd"):
        return None
    month, day = _month_day(match, "a_")
    weekday = WEEKDAYS.get(match.group("a_wd").rstrip(".,").lower()[:3])
    today = today or date.today()
    for year in range(today.year, today.year - 60, -1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today and candidate.weekday() == weekday:
            return year
    return None


def parse_time_range(
    raw: str,
    year: int | None,
    default_zone: str | None = None,
    zones: Mapping[str, str] | None = None,
    year_origin: str = "as given",
    local: tzinfo | None = None,
) -> TimeRange:
    """Read `raw` exactly, or raise TimeParseError saying why it cannot be read.

    `year` is required unless the text prints one; `default_zone` is a page-level zone label
    for slots printed without one (day pages start with such a header); `zones` are the
    user's own offsets for labels, which settle ambiguous ones ({"CST": "-06:00"});
    `year_origin` says where `year` came from ("as given by --year"), for the weekday check;
    `local` is the zone of slots that name none (`--tz`), exact for the slot's date.
    """
    match = _FULL.match(raw)
    if match is None:
        raise TimeParseError(f"unrecognised time format {raw!r}")
    if match.group("a_y"):
        year, year_origin = int(match.group("a_y")), "as printed"
    if year is None:
        raise MissingYear(f"no year for {raw!r}", raw)
    zone_label = match.group("z1") or match.group("z2") or default_zone
    if not zone_label and local is None:
        raise MissingZone(f"no time zone shown in {raw!r}", raw)
    tz = zone(zone_label, zones) if zone_label else local
    start_date = _date(match, "a_", year)
    end_date = _date(match, "b_", year) if match.group("b_m1") or match.group("b_m2") else None
    clash = _weekday_clash(match, "a_", start_date) or (
        _weekday_clash(match, "b_", end_date) if end_date else None
    )
    if clash:
        clash += f"; times use {year} {year_origin}"
    start_clock, end_clock = _clocks(match.group("t1"), match.group("t2"))
    start = datetime.combine(start_date, start_clock, tz)
    zone_label = zone_label or start.tzname()  # --tz: the zone's name on that date ("KST")
    if end_clock is None:
        return TimeRange(start, None, zone_label, clash)
    end_tz = zone(match.group("z2"), zones) if match.group("z2") else tz
    end = datetime.combine(end_date or start_date, end_clock, end_tz)
    if end < start:
        end += timedelta(days=1)  # "11 p.m. - 1 a.m.": the slot runs past midnight.
    return TimeRange(start, end, zone_label, clash)


def zone(label: str, overrides: Mapping[str, str] | None = None) -> timezone:
    """A fixed-offset tzinfo named `label`, or TimeParseError for unknown or ambiguous labels.

    `overrides` map labels to offsets ("-06:00") and take precedence over the table.
    """
    key = label.strip().upper()
    if overrides and key in overrides:
        return offset_zone(overrides[key], label)
    if key in AMBIGUOUS_ZONES:
        raise TimeParseError(
            f"ambiguous time zone {label!r} ({AMBIGUOUS_ZONES[key]}); "
            f"say which with --zone {key}=+HH:MM"
        )
    if key.startswith(("+", "-")) or (key.startswith(("UTC", "GMT")) and len(key) > 3):
        return offset_zone(key, label)
    if key not in ZONE_OFFSETS:
        raise TimeParseError(
            f"unknown time zone {label!r}; give its offset with --zone {key}=+HH:MM"
        )
    return timezone(timedelta(hours=ZONE_OFFSETS[key]), label)


_OFFSET_NAME = re.compile(r"(?:UTC|GMT)?[+-]", re.IGNORECASE)


def local_zone(name: str) -> tzinfo:
    """`--tz`: an IANA zone ("Asia/Seoul", exact across daylight-saving changes) or a fixed
    offset ("+09:00", "-03"); TimeParseError for anything else."""
    text = name.strip()
    if _OFFSET_NAME.match(text):
        return offset_zone(text)
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, a name too long
        raise TimeParseError(
            f"unknown time zone {name!r}: give an IANA name such as Asia/Seoul, or +HH:MM"
        ) from None


def utc_offset(moment: datetime | None) -> str | None:
    """ "+09:00" for a time in Seoul; None for no time."""
    return _offset_text(moment.utcoffset()) if moment else None


@functools.cache  # a page's hundreds of talks share a few offsets
def _offset_text(offset: timedelta | None) -> str | None:
    if offset is None:
        return None
    hours, minutes = divmod(abs(round(offset.total_seconds() / 60)), 60)
    return f"{'-' if offset < timedelta(0) else '+'}{hours:02d}:{minutes:02d}"


def offset_zone(offset: str, label: str | None = None) -> timezone:
    """ "-03", "+0530", "UTC+2", "-06:00" -> a fixed-offset tzinfo (named `label`)."""
    numeric = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", offset.strip().upper())
    if not numeric:
        raise TimeParseError(f"not a UTC offset: {offset!r}")
    sign = -1 if numeric.group(1) == "-" else 1
    hours, minutes = int(numeric.group(2)), int(numeric.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise TimeParseError(f"impossible UTC offset {offset!r}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes), label or offset)


def _month_day(match: re.Match[str], prefix: str) -> tuple[int, int]:
    month_name = match.group(f"{prefix}m1") or match.group(f"{prefix}m2")
    day_text = match.group(f"{prefix}d1") or match.group(f"{prefix}d2")
    month = MONTHS.get(month_name.rstrip(".").lower())
    if month is None:
        month = MONTHS.get(month_name.rstrip(".").lower()[:3])
    if month is None:
        raise TimeParseError(f"unknown month {month_name!r}")
    return month, int(re.match(r"\d+", day_text).group())


def _date(match: re.Match[str], prefix: str, year: int) -> date:
    month, day = _month_day(match, prefix)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise TimeParseError(f"impossible date {day} {month}/{year}: {exc}") from None


def _weekday_clash(match: re.Match[str], prefix: str, day: date) -> str | None:
    """ "the page says Thu 21 July but 21 July 2023 is a Friday", or None when they agree."""
    printed = match.group(f"{prefix}wd")
    weekday = WEEKDAYS.get(printed.rstrip(".,").lower()[:3]) if printed else None
    if weekday is None or weekday == day.weekday():
        return None
    groups = [f"{prefix}{name}" for name in ("d1", "m1", "m2", "d2", "y")]
    shown = match.string[match.start(f"{prefix}wd") : max(match.end(g) for g in groups)]
    return f"the page says {' '.join(shown.split())} but {day.day} {day:%B %Y} is a {day:%A}"


def _clocks(first: str, second: str | None):
    """Both clock readings; a start without a.m./p.m. borrows the end's, as people write it."""
    start_hour, start_minute, start_meridiem = _clock_parts(first)
    if second is None:
        return _to_time(start_hour, start_minute, start_meridiem), None
    end_hour, end_minute, end_meridiem = _clock_parts(second)
    if start_meridiem is None and end_meridiem is not None and 1 <= start_hour <= 12:
        start_meridiem = end_meridiem
        same_half = _to_time(start_hour, start_minute, end_meridiem)
        if same_half > _to_time(end_hour, end_minute, end_meridiem):
            start_meridiem = "am" if end_meridiem == "pm" else "pm"
    return (
        _to_time(start_hour, start_minute, start_meridiem),
        _to_time(end_hour, end_minute, end_meridiem),
    )


def _clock_parts(text: str) -> tuple[int, int, str | None]:
    lowered = text.strip().lower()
    if lowered == "noon":
        return 12, 0, "pm"
    if lowered == "midnight":
        return 12, 0, "am"
    match = re.match(r"(\d{1,2})(?::(\d{2}))?\s*([ap])?", lowered)
    meridiem = f"{match.group(3)}m" if match.group(3) else None
    return int(match.group(1)), int(match.group(2) or 0), meridiem


def _to_time(hour: int, minute: int, meridiem: str | None):
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise TimeParseError(f"impossible hour {hour} {meridiem}")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimeParseError(f"impossible time {hour}:{minute:02d}")
    return datetime.min.replace(hour=hour, minute=minute).time()
