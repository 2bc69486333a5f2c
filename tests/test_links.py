"""Links are http(s) only: a card's `javascript:` or `data:` link never becomes a link anywhere."""

import csv

import pytest
from icalendar import Calendar
from lxml import etree

from schedscrape import parse_page
from schedscrape.cli import main
from schedscrape.export.calendar import IcsWriter
from schedscrape.export.dataset import Dataset
from schedscrape.export.schedule import render
from tests.conftest import SESSIONS

PAGE = (SESSIONS / "icml2025-poster-session.html").read_text(encoding="utf-8")
FIRST_LINK = 'href="/virtual/2025/poster/41001"'
SESSION_URL = "https://icml.cc/virtual/2025/session/50201"

# As written in the page's HTML: entities, a tab or newline inside the scheme, leading spaces
# and mixed case are all read by a browser as the script scheme.
HOSTILE_HREFS = [
    "javascript:alert(1)",
    "  JavaScript:alert(document.cookie)",
    "&#106;avascript:alert(1)",
    "&#x6A;&#x61;vascript:alert(1)",
    "java\tscript:alert(1)",
    "java&#9;script:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "&#1;javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "http:no-host",
]


def with_first_link(href: str, page: str = PAGE) -> str:
    return page.replace(FIRST_LINK, f'href="{href}"', 1)


@pytest.mark.parametrize("href", HOSTILE_HREFS)
def test_a_script_link_is_dropped_where_it_is_read(href):
    talks = parse_page(with_first_link(href), url=SESSION_URL).talks
    assert talks[0].url is None
    assert talks[0].title == "Sparse k-Means with Pruned Centroids"  # the title stays
    assert talks[1].url == "https://icml.cc/virtual/2025/poster/41002"


@pytest.mark.parametrize(
    ("href", "url"),
    [
        ("/virtual/2025/poster/41001", "https://icml.cc/virtual/2025/poster/41001"),
        ("  /virtual/2025/poster/41001\n", "https://icml.cc/virtual/2025/poster/41001"),
        ("../poster/41001", "https://icml.cc/virtual/2025/poster/41001"),
        ("HTTPS://icml.cc/virtual/2025/poster/41001", "https://icml.cc/virtual/2025/poster/41001"),
    ],
)
def test_web_links_are_made_absolute_against_the_page(href, url):
    assert parse_page(with_first_link(href), url=SESSION_URL).talks[0].url == url


def test_relative_links_resolve_against_the_canonical_url():
    canonical = '<link rel="canonical" href="https://neurips.cc/virtual/2023/session/7">'
    page = with_first_link(
        "/virtual/2023/poster/41001", PAGE.replace("</head>", canonical + "</head>")
    )
    parsed = parse_page(page)
    assert parsed.session.url == "https://neurips.cc/virtual/2023/session/7"
    assert parsed.talks[0].url == "https://neurips.cc/virtual/2023/poster/41001"


def test_a_script_canonical_url_is_no_page_address():
    canonical = '<link rel="canonical" href="javascript:alert(1)">'
    parsed = parse_page(PAGE.replace("</head>", canonical + "</head>"))
    assert parsed.session.url is None
    assert parsed.talks[0].url == "https://icml.cc/virtual/2025/poster/41001"  # from the site


def hrefs_in(schedule_html: str) -> list[str]:
    return etree.HTML(schedule_html).xpath("//@href")


def ics_urls(path) -> list[str]:
    return [
        str(component["url"])
        for component in Calendar.from_ical(path.read_bytes()).walk("VEVENT")
        if "url" in component
    ]


def test_no_output_links_a_script(tmp_path):
    page = tmp_path / "hostile.html"
    page.write_text(with_first_link("java&#9;script:alert(1)"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["parse", str(page), "-o", str(out), "--format", "csv,json,ics,html"]) == 0
    hrefs = hrefs_in((out / "schedule.html").read_text(encoding="utf-8"))
    assert len(hrefs) == 3 and all(href.startswith("https://icml.cc/") for href in hrefs)
    urls = ics_urls(out / "talks.ics")
    assert len(urls) == 3 and all(url.startswith("https://icml.cc/") for url in urls)
    assert "alert(" not in (out / "talks.ics").read_text(encoding="utf-8")
    with (out / "talks.csv").open(encoding="utf-8", newline="") as stream:
        assert next(csv.DictReader(stream))["url"] == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", " javascript:alert(1)", "data:,x"])
def test_writers_never_link_a_script_even_from_older_data(url, tmp_path):
    """Defence in depth: a dataset merged from an older run may hold any URL."""
    parsed = parse_page(PAGE, url=SESSION_URL)
    talks = [parsed.talks[0].model_copy(update={"url": url}), *parsed.talks[1:]]
    dataset = Dataset(sessions=[parsed.session.model_copy(update={"url": url})], talks=talks)
    hrefs = hrefs_in(render(dataset))
    assert len(hrefs) == 3 and all(href.startswith("https://") for href in hrefs)
    IcsWriter().write(dataset, tmp_path)
    assert all(u.startswith("https://") for u in ics_urls(tmp_path / "talks.ics"))
    assert ics_urls(tmp_path / "sessions.ics") == []
    for name in ("talks.ics", "sessions.ics"):
        assert url.strip() not in (tmp_path / name).read_text(encoding="utf-8")
