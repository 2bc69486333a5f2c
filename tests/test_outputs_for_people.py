"""talks.ics / sessions.ics, schedule.html, and schedscrape.load()."""

import csv
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar

import schedscrape
from schedscrape.cli import main
from schedscrape.export.calendar import IcsWriter, talk_uid
from schedscrape.export.dataset import Dataset
from tests.conftest import FIXTURES, REAL_PAGE, SESSIONS

RENDERINGS = FIXTURES / "renderings"
HOSTILE_TITLE = '<script>alert("x")</script> =HYPERLINK("http://evil") \u202eevil'


def run_parse(out: Path, *paths, formats="csv,json,parquet,ics,html", fresh=False):
    argv = ["parse", *map(str, paths), "-o", str(out), "--format", formats]
    return main([*argv, "--fresh"] if fresh else argv)


def events(path: Path):
    return [c for c in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]


@pytest.fixture
def out(tmp_path):
    assert run_parse(tmp_path, SESSIONS) == 0
    return tmp_path


def test_talks_ics_has_one_zone_aware_event_per_talk(out):
    talks = schedscrape.load(out).talks
    vevents = events(out / "talks.ics")
    assert len(vevents) == talks["start"].notna().sum() == 15
    uids = [str(event["uid"]) for event in vevents]
    assert len(set(uids)) == len(uids)
    for event in vevents:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.tzinfo is not None and end.tzinfo is not None  # never floating
        assert end >= start
    oral = next(e for e in vevents if str(e["summary"]).startswith("Near-Exact Recovery"))
    assert oral.decoded("dtstart").isoformat() == "2022-07-21T20:00:00+00:00"  # 13:00 PDT
    assert str(oral["location"]) == "Hall G"
    assert str(oral["url"]) == "https://icml.cc/virtual/2022/oral/16021"
    description = str(oral["description"])
    assert "Martin Genzel, Ingo Gühring" in description and "LoDoPaB CT" in description


def test_ics_uids_are_stable_across_runs(out, tmp_path):
    again = tmp_path / "again"
    assert run_parse(again, SESSIONS) == 0
    assert sorted(str(e["uid"]) for e in events(out / "talks.ics")) == sorted(
        str(e["uid"]) for e in events(again / "talks.ics")
    )


def test_sessions_ics(out):
    vevents = events(out / "sessions.ics")
    assert len(vevents) == 3
    summaries = {str(e["summary"]) for e in vevents}
    assert "Poster Session 2 East" in summaries
    poster = next(e for e in vevents if str(e["summary"]) == "Poster Session 2 East")
    assert poster.decoded("dtstart").isoformat() == "2025-07-15T23:30:00+00:00"


def test_schedule_html_is_self_contained_and_shows_every_title(out):
    page = (out / "schedule.html").read_text(encoding="utf-8")
    for title in schedscrape.load(out).talks["title"]:
        assert title.replace("&", "&amp;").replace('"', "&quot;") in page
    # Nothing is loaded from anywhere: no external scripts, styles, images or fonts.
    assert not re.search(r"<(script|img|iframe|link)[^>]*\s(src|href)=", page)
    assert "url(" not in page and "@import" not in page
    assert "default-src 'none'" in page
    assert page.count('<li class="talk"') == 15


def test_hostile_text_is_escaped_in_html_and_neutralised_in_csv(tmp_path):
    source = (SESSIONS / "icml2025-poster-session.html").read_text(encoding="utf-8")
    hostile = source.replace(
        "Learning to Schedule Conference Talks",
        HOSTILE_TITLE.replace("<", "&lt;").replace(">", "&gt;"),
    )
    hostile = hostile.replace("Alan Turing", "=HYPERLINK(&quot;http://evil&quot;)")
    page = tmp_path / "hostile.html"
    page.write_text(hostile, encoding="utf-8")
    out = tmp_path / "out"
    assert run_parse(out, page) == 0
    html_page = (out / "schedule.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html_page and "&lt;script&gt;alert" in html_page
    talks = pd.read_json(out / "talks.json")
    assert talks.loc[2, "title"] == HOSTILE_TITLE  # JSON keeps the text exactly
    assert pd.read_parquet(out / "talks.parquet").loc[2, "title"] == HOSTILE_TITLE
    csv_talks = pd.read_csv(out / "talks.csv", keep_default_na=False)
    assert csv_talks.loc[2, "title"] == HOSTILE_TITLE  # starts with "<": not a formula
    assert csv_talks.loc[2, "authors"].startswith("'=HYPERLINK(")  # neutralised
    assert talks.loc[2, "authors"][0] == '=HYPERLINK("http://evil")'  # JSON: exact
    assert pd.read_csv(out / "sessions.csv").loc[0, "title"] == "Poster Session 2 East"
    for name in ("sessions.csv", "talks.csv", "talk_authors.csv"):
        with (out / name).open(encoding="utf-8", newline="") as stream:
            cells = [cell for row in csv.reader(stream) for cell in row]
        assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_load_gives_real_dtypes(out):
    tables = schedscrape.load(out)
    talks = tables.talks
    assert str(talks["start"].dtype) == "datetime64[us, UTC]"
    assert isinstance(list(talks["authors"].iloc[0]), list)
    assert str(talks["position"].dtype) == "Int64"
    assert str(talks["event_type"].dtype) == "category"
    counts = tables.talk_authors.groupby("name").size().sort_values(ascending=False)
    assert counts.index[0] in set(tables.talk_authors["name"])
    assert counts.iloc[0] == 2  # seed authors appear in the oral page and the text rendering


def test_load_reads_json_when_there_is_no_parquet(tmp_path):
    assert run_parse(tmp_path, SESSIONS, formats="json") == 0
    talks = schedscrape.load(tmp_path).talks
    assert str(talks["start"].dtype).startswith("datetime64") and str(talks["start"].dt.tz) == "UTC"
    assert list(talks["authors"].iloc[0])[:2] == ["Nan Du", "Yanping Huang"]
    with pytest.raises(FileNotFoundError):
        schedscrape.load(tmp_path / "missing")


def test_real_page_then_another_then_real_again(tmp_path):
    if not REAL_PAGE.exists():
        pytest.skip("../shared/real page not available")
    other = SESSIONS / "icml2025-poster-session.html"
    for page in (REAL_PAGE, other, REAL_PAGE):
        assert run_parse(tmp_path, page, formats="json,parquet") == 0
    tables = schedscrape.load(tmp_path)
    assert len(tables.sessions) == 2
    assert len(tables.talks) == 232 + 4
    assert str(tables.talks["start"].dtype) == "datetime64[us, UTC]"
    assert isinstance(list(tables.talks["authors"].iloc[0]), list)


CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them)",
)
def test_search_filters_as_you_type_in_a_real_browser(out, tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-sync",
        "--disable-component-update",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1100,1400",
    ):
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        browser.get((out / "schedule.html").as_uri())

        def visible_titles():
            return [
                e.text
                for e in browser.find_elements(By.CSS_SELECTOR, "li.talk .title")
                if e.is_displayed()
            ]

        assert len(visible_titles()) == 15
        # The README's picture: `SCHEDSCRAPE_SCREENSHOT=docs/schedule.png pytest -k browser`.
        if os.environ.get("SCHEDSCRAPE_SCREENSHOT"):
            browser.save_screenshot(os.environ["SCHEDSCRAPE_SCREENSHOT"])
        search = browser.find_element(By.ID, "search")
        search.send_keys("guhring")  # accents folded: matches "Ingo Gühring"
        titles = visible_titles()
        assert len(titles) == 1 and "Near-Exact Recovery" in titles[0]
        assert browser.find_element(By.ID, "shown").text == "1 of 15 talks match"
        search.clear()
        search.send_keys("glam")
        assert len(visible_titles()) == 2  # the same talk in the oral page and the text page
        browser.find_element(By.CSS_SELECTOR, "li.talk:not([hidden]) summary").click()
        abstract = browser.find_element(By.CSS_SELECTOR, "li.talk:not([hidden]) details p")
        assert abstract.is_displayed() and "mixture-of-experts" in abstract.text
        browser.save_screenshot(str(tmp_path / "schedule.png"))
        assert (tmp_path / "schedule.png").stat().st_size > 10_000
        errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
        assert errors == []  # nothing blocked by the CSP, no script errors
    finally:
        browser.quit()


# Every control character (C0, DEL, C1): RFC 5545 allows none in a TEXT value but HTAB.
CONTROLS = "".join(map(chr, [*range(0x20), 0x7F, *range(0x80, 0xA0)]))


def assert_no_control_characters(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(b"\r\n")
    text = data.decode("utf-8").replace("\r\n", "")
    assert not [char for char in text if char in CONTROLS]


def test_ics_text_carries_no_control_characters(tmp_path):
    rendering = (RENDERINGS / "icml2025-poster-session.txt").read_text(encoding="utf-8")
    for plain, hostile in [
        ("Sparse $k$-Means", "Sparse\x08 $k$-Means\x1b[31m"),
        ("Ada Lovelace", "Ada\x07 Lovelace"),
        ("East Exhibition Hall A-B", "East\x7f Exhibition\x9b Hall A-B"),
        ("We cluster", "We\x01\x02 cluster\x0b\x0c"),
    ]:
        rendering = rendering.replace(plain, hostile, 1)
    page = tmp_path / "controls.txt"
    page.write_text(rendering, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["parse", str(page), "-o", str(out), "--format", "json,ics", "--year", "2025"]) == 0
    for name in ("talks.ics", "sessions.ics"):
        assert_no_control_characters(out / name)
    first = events(out / "talks.ics")[0]
    assert str(first["summary"]) == "Sparse  k-Means [31m with Pruned Centroids"
    assert str(first["location"]) == "East  Exhibition  Hall A-B"
    assert str(first["description"]).startswith("Ada  Lovelace, Charles Babbage")


def test_every_ics_text_property_is_cleaned(tmp_path):
    """Records from any source (an older run's data included), every text field hostile."""
    parsed = schedscrape.parse_page(
        (SESSIONS / "icml2025-poster-session.html").read_bytes(),
        url="https://icml.cc/virtual/2025/session/50201",
    )
    dirty = f"a{CONTROLS}b"
    session = parsed.session.model_copy(
        update={
            "session_id": f"50201{dirty}",
            "title": dirty,
            "session_type": dirty,
            "room": dirty,
            "moderators": [dirty],
        }
    )
    talks = [
        talk.model_copy(
            update={
                "session_id": session.session_id,
                "event_id": dirty,
                "title": dirty,
                "authors": [dirty, dirty],
                "abstract": dirty,
                "event_type": dirty,
                "poster_position": dirty,
                "url": f"https://icml.cc/{dirty}",
            }
        )
        for talk in parsed.talks
    ]
    IcsWriter().write(Dataset(sessions=[session], talks=talks), tmp_path)
    for name in ("talks.ics", "sessions.ics"):
        assert_no_control_characters(tmp_path / name)
    vevents = events(tmp_path / "talks.ics")
    assert len(vevents) == 4 and len({str(e["uid"]) for e in vevents}) == 1  # same event id
    assert str(vevents[0]["summary"]).startswith("a ") and str(vevents[0]["summary"]).endswith("b")
    assert "url" not in vevents[0]  # a URL with control characters is no web link
    [session_event] = events(tmp_path / "sessions.ics")
    assert "\n" in str(session_event["description"])  # line breaks survive, escaped as \n


def test_calendar_uids_hold_no_placeholder(tmp_path):
    rendering = RENDERINGS / "icml2025-poster-session.txt"
    for options, prefix in [([], "2025-"), (["--conference", "icml"], "icml2025-")]:
        out = tmp_path / "-".join(options or ["none"])
        assert main(["parse", str(rendering), "-o", str(out), "--format", "ics", *options]) == 0
        uids = [str(e["uid"]) for name in ("talks.ics", "sessions.ics") for e in events(out / name)]
        assert len(uids) == 5 and len(set(uids)) == 5
        for uid in uids:
            assert uid.startswith(f"{prefix}session") and uid.endswith("@schedscrape"), uid
            assert "conference" not in uid and "None" not in uid
    talk = schedscrape.parse_page((SESSIONS / "icml2025-poster-session.html").read_bytes()).talks[0]
    bare = talk.model_copy(update={"conference": None, "year": None})
    assert talk_uid(bare) == "session50201-event41001@schedscrape"
    assert talk_uid(talk) == "icml2025-session50201-event41001@schedscrape"  # as before
