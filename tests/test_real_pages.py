"""The real ICML 2025 page and the ICML 2022 seed text from ../shared (skipped when absent)."""

import re
from collections import Counter
from datetime import date

from schedscrape import parse_page


def test_real_icml2025_poster_session(real_page):
    page = parse_page(real_page, source="real")
    session = page.session
    assert session.session_id == "50259"
    assert session.title == "Poster Session 3 West"
    assert session.session_type == "Poster Session"
    assert session.room == "West Exhibition Hall B2-B3"
    assert (session.conference, session.year) == ("ICML", 2025)
    assert session.start.isoformat() == "2025-07-16T11:00:00-07:00"
    assert session.end.isoformat() == "2025-07-16T13:30:00-07:00"
    assert session.timezone == "PDT"
    assert len(page.talks) == session.talk_count == 232
    assert page.problems == []

    first = page.talks[0]
    assert (first.event_id, first.url) == ("45933", "https://icml.cc/virtual/2025/poster/45933")
    assert (
        first.title == "MindLLM: A Subject-Agnostic and Versatile Model for fMRI-to-text Decoding"
    )
    assert first.authors == [
        "Weikang Qiu",
        "Zheng Huang",
        "Haoyu Hu",
        "Aosong Feng",
        "Yujun Yan",
        "ZHITAO YING",
    ]
    assert first.poster_position == "#W-100"
    assert Counter(t.event_type for t in page.talks) == {"Poster": 210, "Spotlight Poster": 22}
    assert len({t.event_id for t in page.talks}) == 232
    assert all(
        t.url == f"https://icml.cc/virtual/2025/{t.url.split('/')[-2]}/{t.event_id}"
        for t in page.talks
    )
    assert all(t.poster_position and t.poster_position.startswith("#W-") for t in page.talks)
    assert any("Alexandre d'Aspremont" in t.authors for t in page.talks)

    abstracts = [t.abstract or "" for t in page.talks]
    assert any("84.6% with a base-sized model" in a for a in abstracts)
    assert any("https://vilp-team.github.io/" in a for a in abstracts)
    assert any("improving downstream tasks by 12.0%" in a for a in abstracts)
    assert not any("$" in a and "\\%" in a for a in abstracts)


def test_real_page_math_reads_as_tex_shows_it(real_page):
    abstracts = "\n".join(t.abstract or "" for t in parse_page(real_page).talks)
    assert "and ≤0.53% error" in abstracts
    assert "regret bound of Θ̃(H^2√(SAK))" in abstracts
    assert "of the form min_x max_y f(x)" in abstracts
    assert "a factor Ω̃(√m) when" in abstracts
    assert not re.search(r"(?:^|\s)[\u0300-\u036f\u20d0-\u20ff]", abstracts)  # no lone accent
    # The one backslash left is the page's own `\In` (a `\\` that lost a backslash upstream).
    assert re.findall(r"\\\w*|\$", abstracts) == ["\\In"]


def test_real_page_with_its_url(real_page):
    page = parse_page(real_page, url="https://icml.cc/virtual/2025/session/50259")
    assert page.session.url == "https://icml.cc/virtual/2025/session/50259"
    assert page.talks[0].source == "https://icml.cc/virtual/2025/session/50259"


def test_seed_text_icml2022_hall_g(seed_text):
    page = parse_page(seed_text, source="seed", today=date(2026, 11, 27))
    session = page.session
    assert session.room == "Hall G"
    assert session.moderators == ["Ning Yu"]
    assert session.year == 2022
    assert [p.message for p in page.problems] == [
        "year 2022 inferred from the weekday in 'Thu 21 July 12:30 - 12:35 PDT'; "
        "pass --year or --url to set it"
    ]
    assert len(page.talks) == 15
    assert session.start.isoformat() == "2022-07-21T12:30:00-07:00"
    assert session.end.isoformat() == "2022-07-21T14:00:00-07:00"

    oral = page.talks[6]
    assert oral.title == "Near-Exact Recovery for Tomographic Inverse Problems via Deep Learning"
    assert (oral.start.isoformat(), oral.end.isoformat()) == (
        "2022-07-21T13:00:00-07:00",
        "2022-07-21T13:20:00-07:00",
    )
    assert oral.authors == ["Martin Genzel", "Ingo Gühring", "Jan Macdonald", "Maximilian März"]
    assert len(page.talks[0].authors) == 27
    assert page.talks[10].authors == ["Konstantin Mishchenko", "Ahmed Khaled", "Peter Richtarik"]
    assert page.talks[13].authors[0] == "Yan Huang"
    assert "named \\glam (Generalist Language Model)" in page.talks[0].abstract
    assert "the “training dynamics” after" in page.talks[5].abstract
    assert "For each query element" in page.talks[3].abstract
    for talk in page.talks:
        assert talk.time_source == "talk"
        assert talk.start.utcoffset().total_seconds() == -7 * 3600


def test_real_page_as_a_text_rendering(real_page):
    """The real page copied as text (blocks on their own lines) reads the same as its HTML."""
    from lxml import etree

    from schedscrape.parse.html import block_text

    rendering = block_text(etree.fromstring(real_page, etree.HTMLParser()).find("body"))
    from_text = parse_page(rendering.encode("utf-8"), year=2025, conference="ICML")
    from_html = parse_page(real_page)
    assert from_text.session.title == "Poster Session 3 West"
    assert from_text.session.start == from_html.session.start
    assert len(from_text.talks) == 232
    assert Counter(t.event_type for t in from_text.talks) == {"Poster": 210, "Spotlight Poster": 22}
    for name in ("title", "authors", "abstract", "poster_position"):
        assert [getattr(t, name) for t in from_text.talks] == [
            getattr(t, name) for t in from_html.talks
        ], name
