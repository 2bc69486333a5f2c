"""Session ids depend on the page alone, and conferences have one spelling per conference-year,
whatever named them (--conference in any case, the site's host, the page title)."""

import json
from datetime import date

import pytest

from schedscrape import parse_page
from schedscrape.cli import main
from schedscrape.parse.conferences import canonical_name
from tests.conftest import FIXTURES, SESSIONS

TODAY = date(2026, 11, 27)
EXCERPT = SESSIONS / "icml2022-hall-g-excerpt.txt"
RENDERING = FIXTURES / "renderings" / "icml2025-poster-session.txt"
POSTER = (SESSIONS / "icml2025-poster-session.html").read_bytes()
CONTEXTS = [
    {},
    {"conference": "ICML"},
    {"conference": "icml"},
    {"conference": "NeurIPS"},
    {"year": 2022},
    {"year": 2023},
    {"conference": "iCmL", "year": 2025},
]


@pytest.mark.parametrize("path", [EXCERPT, RENDERING], ids=lambda path: path.name)
def test_text_rendering_id_depends_on_the_page_alone(path):
    data = path.read_bytes()
    ids = {parse_page(data, today=TODAY, **context).session.session_id for context in CONTEXTS}
    assert len(ids) == 1 and ids.pop().startswith("h")


def test_ids_from_the_url_or_the_pages_bookmark_are_unchanged():
    assert parse_page(POSTER, conference="NeurIPS", year=2020).session.session_id == "50201"
    oral = (SESSIONS / "icml2022-oral-session.html").read_bytes()
    assert parse_page(oral).session.session_id == "20119"
    url = "https://icml.cc/virtual/2022/session/31337"
    assert parse_page(EXCERPT.read_bytes(), url=url).session.session_id == "31337"


def test_reparsing_with_another_conference_spelling_replaces_the_session(tmp_path):
    for spelling in ("ICML", "icml", "Icml"):
        options = ["--conference", spelling, "--format", "json", "-o", tmp_path]
        assert main(["parse", str(EXCERPT), *map(str, options)]) == 0
    (session,) = json.loads((tmp_path / "sessions.json").read_text(encoding="utf-8"))
    assert session["conference"] == "ICML"
    talks = json.loads((tmp_path / "talks.json").read_text(encoding="utf-8"))
    assert len(talks) == 6 and {t["conference"] for t in talks} == {"ICML"}


@pytest.mark.parametrize(
    ("given", "year", "spelled"),
    [
        ("icml", 2022, "ICML"),
        ("NEURIPS", 2023, "NeurIPS"),
        ("neurips", 2016, "NIPS"),  # as the site spelled it that year
        ("NIPS", 2018, "NeurIPS"),
        ("nips", None, "NIPS"),  # no year: the name keeps its own spelling
        ("iclr", None, "ICLR"),
        ("MLSYS", 2025, "MLSys"),
        ("cvpr", 2024, "CVPR"),
        ("corl", 2024, "CoRL"),
        ("  aistats ", 2024, "AISTATS"),
        ("CoLLAs", 2024, "CoLLAs"),  # unknown: kept as given
        ("", 2024, None),
        (None, 2024, None),
    ],
)
def test_canonical_names(given, year, spelled):
    assert canonical_name(given, year) == spelled


@pytest.mark.parametrize(
    ("options", "spelled"),
    [
        ({"conference": "icml"}, "ICML"),
        ({"url": "https://ICML.cc/virtual/2022/session/20119"}, "ICML"),
        ({"url": "https://neurips.cc/virtual/2022/session/1"}, "NeurIPS"),
        ({"url": "https://nips.cc/Conferences/2016/Schedule?showEvent=1"}, "NIPS"),
        ({"url": "https://neurips.cc/Conferences/2017/Schedule"}, "NIPS"),
        ({"url": "https://mlsys.org/virtual/2024/session/3"}, "MLSys"),
        ({"url": "https://cvpr.thecvf.com/virtual/2024/session/3"}, "CVPR"),
        ({"conference": "neurips", "year": 2017}, "NIPS"),
    ],
)
def test_records_carry_the_canonical_name(options, spelled):
    page = parse_page(EXCERPT.read_bytes(), today=TODAY, **options)
    assert page.session.conference == spelled
    assert {talk.conference for talk in page.talks} == {spelled}


def test_the_page_title_names_the_conference_in_the_years_spelling():
    page = parse_page(POSTER.replace(b"<title>ICML 2025</title>", b"<title>nips 2019</title>"))
    assert (page.session.conference, page.session.year) == ("NeurIPS", 2019)
    assert page.talks[0].url == "https://neurips.cc/virtual/2025/poster/41001"


@pytest.mark.parametrize(
    "claimed", ["http://[oops/virtual/2025/session/9", "/virtual/x", "ftp://a"]
)
def test_a_bad_canonical_address_on_the_page_is_ignored(claimed):
    link = f'<link rel="canonical" href="{claimed}">'.encode()
    page = parse_page(POSTER.replace(b"<head>", b"<head>" + link, 1))
    assert page.session.url is None
    assert page.talks[0].url == "https://icml.cc/virtual/2025/poster/41001"
