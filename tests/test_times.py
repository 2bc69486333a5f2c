from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedscrape import parse_page
from schedscrape.parse.times import (
    TimeParseError,
    find_time_range,
    infer_year,
    is_time_range,
    parse_time_range,
)
from tests.conftest import SESSIONS

PDT = timezone(timedelta(hours=-7))


@pytest.mark.parametrize(
    ("raw", "year", "start", "end", "label"),
    [
        (
            "Thu 21 July 12:30 - 12:35 PDT",
            2022,
            (2022, 7, 21, 12, 30),
            (2022, 7, 21, 12, 35),
            "PDT",
        ),
        (
            "Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT",
            2025,
            (2025, 7, 16, 11, 0),
            (2025, 7, 16, 13, 30),
            "PDT",
        ),
        ("Tue 12 Dec noon – 1 p.m. KST", 2023, (2023, 12, 12, 12, 0), (2023, 12, 12, 13, 0), "KST"),
        (
            "Tue 12 Dec 11 p.m. EST — midnight EST",
            2023,
            (2023, 12, 12, 23, 0),
            (2023, 12, 13, 0, 0),
            "EST",
        ),
        (
            "Mon 5 Dec 08:30 -- 10:30 AM PST",
            2016,
            (2016, 12, 5, 8, 30),
            (2016, 12, 5, 10, 30),
            "PST",
        ),
        (
            "Mon Dec 5th 11 - 1:30 PM CEST",
            2016,
            (2016, 12, 5, 11, 0),
            (2016, 12, 5, 13, 30),
            "CEST",
        ),
        (
            "Thu, Apr 23, 2026 • 9:00 AM – 10:00 AM -03",
            None,
            (2026, 4, 23, 9, 0),
            (2026, 4, 23, 10, 0),
            "-03",
        ),
        (
            "Fri 1 March 10:00 - 11:00 +0530",
            2024,
            (2024, 3, 1, 10, 0),
            (2024, 3, 1, 11, 0),
            "+0530",
        ),
    ],
)
def test_forms_seen_on_the_sites(raw, year, start, end, label):
    slot = parse_time_range(raw, year)
    assert slot.timezone == label
    offset = slot.start.utcoffset()
    assert slot.start == datetime(*start, tzinfo=timezone(offset))
    assert slot.end == datetime(*end, tzinfo=timezone(offset))


def test_offsets_are_exact():
    slot = parse_time_range("Thu 21 July 12:30 - 12:35 PDT", 2022)
    assert slot.start.isoformat() == "2022-07-21T12:30:00-07:00"
    plus = parse_time_range("Fri 1 March 10:00 - 11:00 +0530", 2024)
    assert plus.start.isoformat() == "2024-03-01T10:00:00+05:30"


def test_end_before_start_is_the_next_day():
    slot = parse_time_range("Sat 23 Jul 11:30 p.m. PDT - 12:30 a.m. PDT", 2022)
    assert slot.end - slot.start == timedelta(hours=1)
    assert slot.end.day == 24


@pytest.mark.parametrize("label", ["IST", "CST", "XYZ"])
def test_unknown_or_ambiguous_zone_is_refused(label):
    with pytest.raises(TimeParseError, match=label):
        parse_time_range(f"Thu 21 July 12:30 - 12:35 {label}", 2022)


def test_page_level_zone_applies_when_the_slot_has_none():
    slot = parse_time_range("Sat 23 Jul 07:00 a.m.", 2022, default_zone="EDT")
    assert slot.start.isoformat() == "2022-07-23T07:00:00-04:00"
    assert slot.end is None
    with pytest.raises(TimeParseError, match="no time zone"):
        parse_time_range("Sat 23 Jul 07:00 a.m.", 2022)


def test_year_inferred_from_weekday_is_the_latest_not_in_the_future():
    assert infer_year("Thu 21 July 12:30 - 12:35 PDT", today=date(2026, 11, 27)) == 2022
    assert infer_year("Wed 16 Jul 11 a.m. PDT", today=date(2026, 11, 27)) == 2025
    # No 21 July between 2023 and 2032 is a Thursday.
    assert infer_year("Thu 21 July 12:30 - 12:35 PDT", today=date(2028, 7, 20)) == 2022
    assert infer_year("21 July 12:30 - 12:35 PDT", today=date(2026, 1, 1)) is None


def test_finds_a_slot_inside_other_text():
    text = "Spotlight\n  Thu 21 July 12:30 - 12:35 PDT\n GLaM: Efficient Scaling"
    assert find_time_range(text) == "Thu 21 July 12:30 - 12:35 PDT"
    assert find_time_range("Poster #W-100 MindLLM: A Subject-Agnostic Model") is None
    assert is_time_range("Thu 21 July 12:30 - 12:35 PDT")
    assert not is_time_range("GLaM: Efficient Scaling of Language Models")


MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@given(
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    length=st.integers(0, 24 * 60 - 1),
    zone=st.sampled_from(["PDT", "EST", "CEST", "KST", "-03", "+0530", "UTC"]),
)
def test_generated_slots_parse_exactly(month, day, hour, minute, length, zone):
    raw = f"{day} {MONTHS[month - 1]} {hour:02d}:{minute:02d} - " + (
        f"{(hour * 60 + minute + length) // 60 % 24:02d}:{(minute + length) % 60:02d} {zone}"
    )
    try:
        slot = parse_time_range(raw, 2024)
    except TimeParseError as exc:
        assert "impossible date" in str(exc)  # 31 Feb and friends
        return
    assert slot.end >= slot.start
    assert slot.end - slot.start == timedelta(minutes=length)


@given(st.text(max_size=80))
def test_arbitrary_text_never_raises_anything_else(text):
    try:
        slot = parse_time_range(text, 2024)
    except TimeParseError:
        return
    assert slot.end is None or slot.end >= slot.start
    assert find_time_range(text) is None or isinstance(find_time_range(text), str)


def test_user_zones_settle_ambiguous_and_unknown_labels():
    with pytest.raises(TimeParseError, match="--zone CST="):
        parse_time_range("Tue 12 Dec 10:00 - 11:00 CST", 2023)
    slot = parse_time_range("Tue 12 Dec 10:00 - 11:00 CST", 2023, zones={"CST": "-06:00"})
    assert slot.start.isoformat() == "2023-12-12T10:00:00-06:00" and slot.timezone == "CST"
    wib = parse_time_range("Tue 12 Dec 10:00 - 11:00 XYZT", 2023, zones={"XYZT": "+7"})
    assert wib.start.utcoffset() == timedelta(hours=7)


@pytest.mark.parametrize(
    ("raw", "year", "clash"),
    [
        ("Thu 21 July 12:30 - 12:35 PDT", 2022, None),
        ("21 July 12:30 - 12:35 PDT", 2023, None),  # no weekday, nothing to contradict
        (
            "Thu 21 July 12:30 - 12:35 PDT",
            2023,
            "the page says Thu 21 July but 21 July 2023 is a Friday; times use 2023 as given",
        ),
        (
            "Thu, Apr 23, 2025 • 9:00 AM – 10:00 AM -03",
            2026,
            "the page says Thu, Apr 23, 2025 but 23 April 2025 is a Wednesday; "
            "times use 2025 as printed",
        ),
        (
            "Sat 23 Jul 11:30 p.m. PDT - Mon 24 Jul 12:30 a.m. PDT",
            2022,
            "the page says Mon 24 Jul but 24 July 2022 is a Sunday; times use 2022 as given",
        ),
    ],
)
def test_a_weekday_that_contradicts_the_date_is_named(raw, year, clash):
    assert parse_time_range(raw, year).weekday_clash == clash


ORAL = (SESSIONS / "icml2022-oral-session.html").read_bytes()  # Thu 21 July 2022, six slots
URL_2023 = "https://icml.cc/virtual/2023/session/20119"


@pytest.mark.parametrize(
    ("options", "origin"), [({"year": 2023}, "--year"), ({"url": URL_2023}, "the URL")]
)
def test_a_year_that_contradicts_the_printed_weekday_warns_once_per_page(options, origin):
    page = parse_page(ORAL, source="oral.html", **options)
    assert page.session.start.isoformat() == "2023-07-21T12:30:00-07:00"  # the year as given
    assert [(p.stage, p.severity, p.message) for p in page.problems] == [
        (
            "time",
            "warning",
            "the page says Thu 21 July but 21 July 2023 is a Friday; "
            f"times use 2023 as given by {origin}",
        )
    ]


def test_each_contradicting_date_warns_once():
    two_days = ORAL.replace(b"Thu 21 July 13:00", b"Fri 22 July 13:00")
    messages = [p.message for p in parse_page(two_days, source="x", year=2023).problems]
    assert [m.split(";")[0] for m in messages] == [
        "the page says Thu 21 July but 21 July 2023 is a Friday",
        "the page says Fri 22 July but 22 July 2023 is a Saturday",
    ]
    assert parse_page(two_days, source="x", year=2022).problems == []


def test_an_inferred_year_keeps_its_warning_and_agrees_with_the_weekday():
    text = (SESSIONS / "icml2022-hall-g-excerpt.txt").read_bytes()
    page = parse_page(text, source="x", today=date(2026, 11, 27))
    assert [p.message for p in page.problems] == [
        "year 2022 inferred from the weekday in 'Thu 21 July 12:30 - 12:35 PDT'; "
        "pass --year or --url to set it"
    ]
