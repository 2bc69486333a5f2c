"""`schedscrape check DIR`: where the folder's sources disagree, on stdout and in check.json.
Exit 0 when they agree, 1 when they differ, 2 for a missing folder."""

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from schedscrape import parse_page
from schedscrape.cli import main
from schedscrape.export import Dataset, RunReport, write_outputs
from schedscrape.export.lock import folder_lock
from tests.conftest import ROOT, SESSIONS
from tests.parse_side import detail_page, feed_pages, saved_detail_page, use_parse_side
from tests.test_concurrent_runs import WAITING
from tests.test_dataset_trust import snapshot

POSTER = SESSIONS / "icml2025-poster-session.html"  # "Poster Session 2 East", events 41001-4
PDT = timezone(timedelta(hours=-7))
SESSION_START = datetime(2025, 7, 15, 16, 30, tzinfo=PDT)  # to 19:00; no card shows its own time
FEED = {  # each poster as the feed has it: title and authors as on the page
    talk.event_id: {"title": talk.title, "authors": talk.authors}
    for talk in parse_page(POSTER.read_bytes()).talks
}


def record(event_id: str, **changes) -> dict:
    """The feed's record of a poster: exact times inside the session's span."""
    start = SESSION_START + timedelta(minutes=10 * int(event_id[-1]))
    fields = {"start": start, "end": start + timedelta(minutes=30), "timezone": "PDT"}
    return {"event_id": event_id, **FEED.get(event_id, {}), **fields, **changes}


def run(*argv) -> int:
    return main([str(arg) for arg in argv])


def write_pages(out: Path, pages) -> None:
    """Pages the CLI cannot give from one file (a feed's several sessions), into the folder."""
    write_outputs(Dataset.from_pages(pages), out, ["json"], RunReport(command="parse"))


def check(out: Path, capsys) -> tuple[int, str, dict]:
    capsys.readouterr()
    status = run("check", out)
    report = json.loads((out / "check.json").read_text(encoding="utf-8"))
    return status, capsys.readouterr().out, report


@pytest.fixture
def folder(tmp_path, monkeypatch):
    use_parse_side(monkeypatch)
    out = tmp_path / "out"
    assert run("parse", POSTER, "-o", out) == 0
    return out


def test_a_feed_and_its_session_page_that_agree(folder, capsys):
    feed = feed_pages(folder / "feed.json", {"Poster Session 2 East": [*map(record, FEED)]})
    write_pages(folder, feed)
    status, out, report = check(folder, capsys)
    assert status == 0
    assert out.strip() == f"{folder}: 2 sources, 4 events: the sources agree"
    assert report["agree"] is True and report["events"] == 4
    assert report["missing"] == report["differences"] == report["feed_problems"] == []
    assert sorted(report["sources"], key=lambda source: source["kind"]) == [
        {"source": str(folder / "feed.json"), "kind": "feed", "events": 4},
        {"source": str(POSTER), "kind": "session page", "events": 4},
    ]


def test_an_event_the_feed_has_and_no_page_shows_and_a_title_that_differs(folder, capsys):
    feed_source = str(folder / "feed.json")
    records = [
        record("41002"),
        record("41003", title="Learning to Schedule Talks"),
        record("41004"),
        record("41005", title="A Paper Only the Feed Has", authors=["Grace Hopper"]),
    ]  # and 41001, a poster in the session the feed names, is not in the feed
    write_pages(folder, feed_pages(feed_source, {"Poster Session 2 East": records}))
    status, out, report = check(folder, capsys)
    assert status == 1 and report["agree"] is False
    assert report["missing"] == [
        {
            "conference": "ICML",
            "year": 2025,
            "event_id": "41001",
            "title": FEED["41001"]["title"],
            "missing_from": feed_source,
            "missing_from_kind": "feed",
            "in_session": "Poster Session 2 East",
            "shown_by": [str(POSTER)],
        },
        {
            "conference": "ICML",
            "year": 2025,
            "event_id": "41005",
            "title": "A Paper Only the Feed Has",
            "missing_from": str(POSTER),
            "missing_from_kind": "session page",
            "in_session": "Poster Session 2 East",
            "shown_by": [feed_source],
        },
    ]
    (title,) = report["differences"]
    assert (title["event_id"], title["field"]) == ("41003", "title")
    assert title["values"] == [
        {"value": "Learning to Schedule Conference Talks", "sources": [str(POSTER)]},
        {"value": "Learning to Schedule Talks", "sources": [feed_source]},
    ]
    assert out.splitlines() == [
        f"{folder}: 2 sources, 5 events: 3 disagreements",
        "missing events (2):",
        f'  ICML 2025 event 41001 "{FEED["41001"]["title"]}": in {POSTER}; '
        f'not in {feed_source} (feed, session "Poster Session 2 East")',
        f'  ICML 2025 event 41005 "A Paper Only the Feed Has": in {feed_source}; '
        f'not in {POSTER} (session page, session "Poster Session 2 East")',
        "differences (1):",
        '  ICML 2025 event 41003 "Learning to Schedule Talks": title',
        f'    "Learning to Schedule Conference Talks": {POSTER}',
        f'    "Learning to Schedule Talks": {feed_source}',
    ]


def test_authors_times_and_rooms_that_differ_name_both_values_and_sources(
    folder, tmp_path, monkeypatch, capsys
):
    """The feed's exact time lies inside the session's span (agreement) but for 41004; rooms
    that differ only in case and spacing agree (41003), one that names another hall does not."""
    pages = use_parse_side(monkeypatch)
    room = {"room": "EAST  Exhibition Hall A-B"}
    records = [
        record("41001", authors=["Ada Lovelace"], **room),
        record("41002", **room),
        record("41003", **room),
        record("41004", start=SESSION_START + timedelta(hours=3), end=None, **room),
    ]
    feed_source = str(folder / "feed.json")
    write_pages(folder, feed_pages(feed_source, {"Poster Session 2 East": records}))
    detail = saved_detail_page(pages, tmp_path / "41002.html", "41002", room="West Hall")
    same_room = saved_detail_page(
        pages, tmp_path / "41003.html", "41003", room="East Exhibition Hall A-B"
    )
    assert run("parse", detail, same_room, "-o", folder) == 0
    status, out, report = check(folder, capsys)
    assert status == 1 and report["missing"] == []
    by_field = {(d["event_id"], d["field"]): d["values"] for d in report["differences"]}
    assert set(by_field) == {("41001", "authors"), ("41002", "room"), ("41004", "time")}
    authors = {tuple(value["value"]): value["sources"] for value in by_field["41001", "authors"]}
    assert authors == {
        tuple(FEED["41001"]["authors"]): [str(POSTER)],
        ("Ada Lovelace",): [feed_source],
    }
    rooms = {value["value"].casefold().split()[0]: value for value in by_field["41002", "room"]}
    assert rooms["west"]["sources"] == [str(detail)]
    assert feed_source in rooms["east"]["sources"]
    assert by_field["41004", "time"] == [
        {
            "value": "2025-07-15T16:30:00-07:00/2025-07-15T19:00:00-07:00",
            "session_time": True,
            "sources": [str(POSTER)],
        },
        {"value": "2025-07-15T19:30:00-07:00", "session_time": False, "sources": [feed_source]},
    ]
    assert (
        '    "2025-07-15T16:30:00-07:00/2025-07-15T19:00:00-07:00" (the session\'s time): ' in out
    )


def test_a_session_of_the_same_title_at_another_time_is_another_session(folder, capsys):
    """Titles compare ignoring case and spacing; a session of that title a day later is not
    the page's session, so its events are not expected on the page."""
    later = record("41888", start=SESSION_START + timedelta(days=1), end=None, title="Q")
    sessions = {"Poster Session 2 East": [*map(record, FEED)], "poster session 2  EAST": [later]}
    write_pages(folder, feed_pages(folder / "feed.json", sessions))
    status, _, report = check(folder, capsys)
    assert status == 0 and report["agree"] is True and report["events"] == 5
    sessions["poster session 2  EAST"] = [{**later, "start": SESSION_START + timedelta(hours=1)}]
    write_pages(folder, feed_pages(folder / "feed.json", sessions))
    status, _, report = check(folder, capsys)
    assert status == 1
    assert [(m["event_id"], m["missing_from"]) for m in report["missing"]] == [
        ("41888", str(POSTER))
    ]


def test_a_detail_page_is_not_expected_to_show_other_events(folder, tmp_path, capsys):
    """A session page's events absent from a detail page, and a detail page's event on no
    session page, are no disagreement: neither lists more than it shows."""
    write_pages(
        folder,
        [
            detail_page(tmp_path / "41002.html", "41002", **FEED["41002"]),
            detail_page(tmp_path / "39999.html", "39999", title="Shown on no page here"),
        ],
    )
    status, _, report = check(folder, capsys)
    assert status == 0 and report["agree"] is True and report["events"] == 5


def test_a_listing_is_expected_to_show_the_events_of_the_types_it_lists(folder, capsys):
    """An events list of orals lacking a poster is no disagreement; lacking an oral is."""
    orals = {"event_id": "41777", "event_type": "Oral", "title": "O"}
    (listing,) = feed_pages(folder / "orals.html", {"2025 Orals": [orals]}, kind="events list")
    oral_elsewhere = detail_page(folder / "41888.html", "41888", event_type="Oral", title="P")
    write_pages(folder, [listing, oral_elsewhere])
    status, _, report = check(folder, capsys)
    assert status == 1
    assert [(m["event_id"], m["missing_from_kind"]) for m in report["missing"]] == [
        ("41888", "events list")
    ]
    assert report["missing"][0]["in_session"] is None


def test_feed_problems_are_disagreements(folder, capsys):
    problems = ["the feed says it holds 2891 records but has 4", "record 41002 appears twice"]
    feed = feed_pages(folder / "feed.json", {"Poster Session 2 East": [*map(record, FEED)]})
    feed[-1].problems.extend(feed_pages(folder / "feed.json", {"x": []}, problems)[-1].problems)
    write_pages(folder, feed)
    status, out, report = check(folder, capsys)
    assert status == 1 and report["missing"] == report["differences"] == []
    assert [p["message"] for p in report["feed_problems"]] == problems
    assert out.splitlines()[-3:] == [
        "feed problems (2):",
        f"  {folder / 'feed.json'}: warning: {problems[0]}",
        f"  {folder / 'feed.json'}: warning: {problems[1]}",
    ]


def test_a_missing_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run("check", tmp_path / "nope")
    assert exited.value.code == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_folder_without_output_or_tampered_is_one_line_and_untouched(folder, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run("check", empty) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == f"schedscrape: error: {empty} holds no sessions or events to compare"
    assert list(empty.iterdir()) == []
    claims = folder / "event_claims.json"
    claims.write_bytes(claims.read_bytes().replace(b"41002", b"41009"))
    before = snapshot(folder)
    assert run("check", folder) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"schedscrape: error: cannot check {folder}: event_claims.json was")
    assert snapshot(folder) == before


def test_check_waits_for_a_run_writing_to_the_folder(folder):
    with folder_lock(folder):
        checking = subprocess.Popen(
            [sys.executable, "-m", "schedscrape", "check", str(folder)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert checking.stderr.readline() == f"{WAITING}{folder}\n"
        assert not (folder / "check.json").exists()
    assert checking.wait(timeout=60) == 0
    assert checking.stdout.read().endswith(": 1 source, 4 events: the sources agree\n")
    assert json.loads((folder / "check.json").read_text(encoding="utf-8"))["agree"] is True
