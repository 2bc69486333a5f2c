"""parse_page on the project's own fixtures: an oral session with per-talk slots, a poster
session, a plain-text rendering."""

from datetime import date

import pytest

from schedscrape import parse_page
from tests.conftest import FIXTURES, SESSIONS

TODAY = date(2026, 11, 27)


def parse(name: str, **kwargs):
    return parse_page((SESSIONS / name).read_bytes(), source=name, today=TODAY, **kwargs)


def test_poster_session_header_and_cards():
    page = parse("icml2025-poster-session.html")
    session = page.session
    assert (session.session_id, session.conference, session.year) == ("50201", "ICML", 2025)
    assert session.title == "Poster Session 2 East"
    assert session.session_type == "Poster Session"
    assert session.room == "East Exhibition Hall A-B"
    assert session.time_raw == "Tue 15 Jul 4:30 p.m. PDT — 7 p.m. PDT"
    assert session.start.isoformat() == "2025-07-15T16:30:00-07:00"
    assert session.end.isoformat() == "2025-07-15T19:00:00-07:00"
    assert session.talk_count == len(page.talks) == 4
    assert page.problems == []

    first, second, third, fourth = page.talks
    assert [t.position for t in page.talks] == [1, 2, 3, 4]
    assert first.event_id == "41001"
    assert first.url == "https://icml.cc/virtual/2025/poster/41001"
    assert fourth.url == "https://icml.cc/virtual/2025/spotlight/41004"
    assert [t.event_type for t in page.talks] == [
        "Poster",
        "Spotlight Poster",
        "Poster",
        "Spotlight Poster",
    ]
    assert [t.poster_position for t in page.talks] == ["#E-101", "#E-102", "#E-103", "#E-104"]
    assert first.authors == ["Ada Lovelace", "Charles Babbage", "Grace O'Hopper"]
    assert third.authors == ["Alan Turing", "Alonzo Church", "Kurt Gödel"]  # ⋅ separator
    assert first.title == "Sparse k-Means with Pruned Centroids"
    assert first.title_raw == r"Sparse $k$-Means with \textsc{Pruned} Centroids"
    assert second.title == "Robust “Attention” Under Shift"
    assert "84.6% accuracy" in first.abstract and "~20% faster" in first.abstract
    assert "Lloyd's method & its variants" in first.abstract
    assert "our repository (https://example.org/sparse-kmeans)" in first.abstract
    assert third.abstract is None and third.abstract_raw is None
    # Paragraphs are separate lines in the raw text and never glued together.
    assert second.abstract_raw.count("\n") == 1
    assert "α = 0.5. We propose \\glam-style gating" in second.abstract
    for talk in page.talks:
        assert talk.time_source == "session"
        assert talk.start == session.start and talk.end == session.end


def test_oral_session_with_per_talk_slots():
    page = parse("icml2022-oral-session.html")
    session = page.session
    assert session.session_type == "Oral"
    assert session.room == "Hall G"
    assert session.moderators == ["Ning Yu"]
    assert session.start.isoformat() == "2022-07-21T12:30:00-07:00"
    assert session.end.isoformat() == "2022-07-21T14:00:00-07:00"
    assert [t.time_source for t in page.talks] == ["talk"] * 5
    oral = page.talks[-1]
    assert oral.event_type == "Oral"
    assert (oral.start.isoformat(), oral.end.isoformat()) == (
        "2022-07-21T13:00:00-07:00",
        "2022-07-21T13:20:00-07:00",
    )
    assert oral.time_raw == "Thu 21 July 13:00 - 13:20 PDT"
    assert page.talks[0].abstract.startswith("Scaling language models")
    assert "named \\glam (Generalist Language Model)" in page.talks[0].abstract
    assert "“training dynamics”" in page.talks[3].abstract


def test_text_rendering_is_told_apart_by_content():
    page = parse("icml2022-hall-g-excerpt.txt")
    assert page.session.room == "Hall G"
    assert page.session.moderators == ["Ning Yu"]
    assert page.session.year == 2022
    assert len(page.talks) == 6
    assert page.talks[0].authors[:2] == ["Nan Du", "Yanping Huang"]
    assert page.session.start.isoformat() == "2022-07-21T12:30:00-07:00"
    assert page.session.end.isoformat() == "2022-07-21T13:00:00-07:00"
    assert any("inferred" in problem.message for problem in page.problems)


def test_url_and_options_fill_what_the_page_lacks():
    page = parse(
        "icml2022-hall-g-excerpt.txt",
        url="https://icml.cc/virtual/2022/session/20119",
        conference="ICML",
    )
    assert page.session.session_id == "20119"
    assert page.session.url == "https://icml.cc/virtual/2022/session/20119"
    assert page.session.conference == "ICML" and page.session.year == 2022
    assert not any("inferred" in problem.message for problem in page.problems)
    assert parse("icml2022-hall-g-excerpt.txt", year=2022).problems == []


def test_content_derived_session_id_is_stable():
    first = parse("icml2022-hall-g-excerpt.txt").session.session_id
    again = parse("icml2022-hall-g-excerpt.txt").session.session_id
    assert first == again and first.startswith("h")


def test_str_and_bytes_give_the_same_records():
    data = (SESSIONS / "icml2025-poster-session.html").read_bytes()
    from_bytes = parse_page(data, source="x")
    from_text = parse_page(data.decode("utf-8"), source="x")
    assert from_bytes.talks == from_text.talks


@pytest.mark.parametrize("name", ["icml2025-poster-session.html", "icml2022-oral-session.html"])
def test_records_round_trip_through_json(name):
    page = parse(name)
    for talk in page.talks:
        assert type(talk).model_validate_json(talk.model_dump_json()) == talk


def test_text_rendering_of_a_poster_session_reads_its_cards():
    rendering = (FIXTURES / "renderings" / "icml2025-poster-session.txt").read_bytes()
    text_page = parse_page(rendering, source="text", today=TODAY)
    html_page = parse("icml2025-poster-session.html")
    assert (text_page.session.title, text_page.session.session_type, text_page.session.room) == (
        "Poster Session 2 East",
        "Poster Session",
        "East Exhibition Hall A-B",
    )
    assert text_page.session.start == html_page.session.start
    assert text_page.session.end == html_page.session.end
    assert text_page.session.year == 2025  # inferred from "Tue 15 Jul", with a warning
    fields = ("title", "authors", "abstract", "event_type", "poster_position", "start", "end")
    for from_text, from_html in zip(text_page.talks, html_page.talks, strict=True):
        for name in fields:
            assert getattr(from_text, name) == getattr(from_html, name), name
