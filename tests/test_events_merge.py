"""Merging what several sources say about one event: the most specific source wins, per group."""

from datetime import datetime, timedelta, timezone

from schedscrape.events import Claim, merge_events
from schedscrape.models import Event

PDT = timezone(timedelta(hours=-7))


def event(source, **fields):
    return Event(event_id="41001", conference="ICML", year=2025, sources=[source], **fields)


SESSION = Claim(
    "session page",
    event(
        "session.html",
        title="Sparse k-Means",
        title_raw="Sparse $k$-Means",
        abstract="short",
        abstract_raw="short",
        room="West Hall",
        start=datetime(2025, 7, 16, 11, tzinfo=PDT),
        end=datetime(2025, 7, 16, 13, 30, tzinfo=PDT),
        timezone="PDT",
        utc_offset="-07:00",
        session_ids=["50259"],
    ),
)
DETAIL = Claim(
    "detail page",
    event(
        "detail.html",
        title="Sparse k-Means (full)",
        title_raw="Sparse $k$-Means (full)",
        abstract="the full abstract",
        abstract_raw="the full abstract",
        openreview_url="https://openreview.net/forum?id=x",
    ),
)


def test_detail_page_wins_where_it_has_a_value_and_the_session_fills_the_rest():
    for claims in ([SESSION, DETAIL], [DETAIL, SESSION]):
        (merged,) = merge_events(claims)
        assert merged.title == "Sparse k-Means (full)"
        assert merged.title_raw == "Sparse $k$-Means (full)"
        assert merged.abstract == "the full abstract"
        assert merged.openreview_url == "https://openreview.net/forum?id=x"
        assert merged.room == "West Hall"  # the detail page has none
        assert merged.start == datetime(2025, 7, 16, 11, tzinfo=PDT)
        assert merged.session_ids == ["50259"]
        assert merged.sources == ["detail.html", "session.html"]


def test_a_group_of_fields_comes_from_one_source():
    zone_only = Claim("detail page", event("detail.html", timezone="PST", utc_offset="-08:00"))
    (merged,) = merge_events([SESSION, zone_only])
    start = datetime(2025, 7, 16, 11, tzinfo=PDT)
    assert (merged.start, merged.timezone, merged.utc_offset) == (start, "PDT", "-07:00")


def test_events_are_kept_apart_by_conference_year_and_id():
    other_year = Claim("session page", SESSION.event.model_copy(update={"year": 2024}))
    poster = Claim("session page", event("poster.html", session_ids=["50300"]))
    merged = merge_events([SESSION, other_year, poster])
    assert [(e.year, e.session_ids) for e in merged] == [
        (2025, ["50259", "50300"]),
        (2024, ["50259"]),
    ]


def test_an_event_with_one_claim_is_merged_like_one_with_several():
    """A group without its leading field is left out, with one claim as with two."""
    odd = Claim("session page", event("page.html", title_raw="   ", url="", room="Hall A"))
    other_event = Claim("session page", event("other.html").model_copy(update={"event_id": "9"}))
    alone, _ = merge_events([odd, other_event])
    (with_another,) = merge_events([odd, Claim("session page", event("more.html"))])
    assert (alone.title_raw, alone.url, alone.room) == (None, None, "Hall A")
    assert (with_another.title_raw, with_another.url, with_another.room) == (None, None, "Hall A")
    assert merge_events([SESSION]) == [SESSION.event]
