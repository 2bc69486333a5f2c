"""Times printed with no zone (2026 events lists, pre-2020 schedules) and the forms of the
newer pages: `--tz` gives them a zone, exact for each date; without it they stay unread."""

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedscrape import parse_page
from schedscrape.parse.times import (
    MissingZone,
    TimeParseError,
    local_zone,
    parse_time_range,
    utc_offset,
)
from tests.conftest import SESSIONS


@pytest.mark.parametrize(
    ("raw", "tz", "start", "end"),
    [
        # 2026 events lists: no weekday, year or zone
        (
            "Jul 7, 10:30 AM - 12:15 PM",
            "Asia/Seoul",
            "2026-07-07T10:30:00+09:00",
            "2026-07-07T12:15:00+09:00",
        ),
        # daylight saving time, exact for the date
        (
            "Jul 7, 10:30 AM - 12:15 PM",
            "America/New_York",
            "2026-07-07T10:30:00-04:00",
            "2026-07-07T12:15:00-04:00",
        ),
        (
            "Dec 7, 10:30 AM - 12:15 PM",
            "America/New_York",
            "2026-12-07T10:30:00-05:00",
            "2026-12-07T12:15:00-05:00",
        ),
        (
            "Jul 7, 10:30 AM - 12:15 PM",
            "+05:30",
            "2026-07-07T10:30:00+05:30",
            "2026-07-07T12:15:00+05:30",
        ),
        (
            "Jul 7, 10:30 AM - 12:15 PM",
            "-03",
            "2026-07-07T10:30:00-03:00",
            "2026-07-07T12:15:00-03:00",
        ),
        # pre-2020 schedules: the PM applies to both ends
        (
            "Mon Dec 7th 06:00 -- 09:30 PM",
            "UTC",
            "2026-12-07T18:00:00+00:00",
            "2026-12-07T21:30:00+00:00",
        ),
        (
            "Mon Dec 7th 11:00 -- 01:00 PM",
            "UTC",
            "2026-12-07T11:00:00+00:00",
            "2026-12-07T13:00:00+00:00",
        ),
        # an evening slot past midnight
        (
            "Jul 7, 11:30 PM - 12:30 AM",
            "Asia/Seoul",
            "2026-07-07T23:30:00+09:00",
            "2026-07-08T00:30:00+09:00",
        ),
    ],
)
def test_zone_less_slots_take_tz(raw, tz, start, end):
    slot = parse_time_range(raw, 2026, local=local_zone(tz))
    assert (slot.start.isoformat(), slot.end.isoformat()) == (start, end)
    assert slot.utc_offset == start[-6:]


def test_zone_less_slot_without_tz_says_so():
    with pytest.raises(MissingZone, match="no time zone"):
        parse_time_range("Jul 7, 10:30 AM - 12:15 PM", 2026)


def test_a_printed_zone_beats_tz():
    slot = parse_time_range("Tue 12 Dec 05:45 PM CET", 2023, local=local_zone("Asia/Seoul"))
    assert slot.start.isoformat() == "2023-12-12T17:45:00+01:00" and slot.end is None
    assert slot.timezone == "CET"


def test_2026_detail_slot_with_year_and_numeric_zone():
    slot = parse_time_range("Thu, Apr 23, 2026 • 9:00 AM – 10:00 AM -03", None)
    assert slot.start.isoformat() == "2026-04-23T09:00:00-03:00"
    assert slot.end.isoformat() == "2026-04-23T10:00:00-03:00"
    assert slot.weekday_clash is None


def test_tz_names_the_zone_of_its_date():
    summer = parse_time_range("Jul 7, 10:30 AM", 2026, local=local_zone("America/Los_Angeles"))
    winter = parse_time_range("Dec 7, 10:30 AM", 2026, local=local_zone("America/Los_Angeles"))
    assert (summer.timezone, summer.utc_offset) == ("PDT", "-07:00")
    assert (winter.timezone, winter.utc_offset) == ("PST", "-08:00")


@pytest.mark.parametrize(
    "name", ["Mars/Olympus_Mons", "America", "", "+25:00", "../../etc/passwd", "x" * 300, "a\0b"]
)
def test_bad_tz_names_are_one_clear_error(name):
    with pytest.raises(TimeParseError) as raised:
        local_zone(name)
    assert "\n" not in str(raised.value)


def test_parse_page_rejects_a_bad_tz():
    with pytest.raises(ValueError, match="unknown time zone"):
        parse_page((SESSIONS / "icml2025-poster-session.html").read_bytes(), tz="Nowhere/City")


@pytest.mark.parametrize(
    ("hours", "minutes", "text"),
    [(-7, 0, "-07:00"), (5, 30, "+05:30"), (0, 0, "+00:00"), (-3, -30, "-03:30")],
)
def test_utc_offset_text(hours, minutes, text):
    moment = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=hours, minutes=minutes)))
    assert utc_offset(moment) == text


def test_one_warning_per_page_for_session_and_talks_without_a_zone():
    page = (SESSIONS / "icml2022-oral-session.html").read_bytes()
    zone_less = page.replace(b" PDT", b"")
    parsed = parse_page(zone_less)
    (warning,) = parsed.problems
    assert "--tz" in warning.message
    assert "the session and talks 1-5" in warning.message
    assert parsed.session.start is None and parsed.session.time_raw
    assert all(t.start is None and t.time_raw for t in parsed.talks)

    exact = parse_page(zone_less, tz="America/Los_Angeles")
    assert not exact.problems
    assert [t.start for t in exact.talks] == [t.start for t in parse_page(page).talks]
    assert exact.session.utc_offset == "-07:00"


@given(
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["Asia/Seoul", "Europe/Berlin", "America/Sao_Paulo", "+09:00"]),
)
def test_tz_times_keep_the_wall_clock(hour, minute, tz):
    raw = f"Mar 29, {hour:02d}:{minute:02d}"
    slot = parse_time_range(raw, 2026, local=local_zone(tz))
    assert (slot.start.hour, slot.start.minute) == (hour, minute)
    assert slot.utc_offset == utc_offset(slot.start)
