"""`schedscrape info DIR`: counts per conference-year, problems by kind, and duplicates."""

import json
import re
from datetime import datetime

import pytest

from schedscrape.cli import main
from tests.conftest import EDGE, SESSIONS
from tests.parse_side import saved_detail_page, use_parse_side

POSTERS = SESSIONS / "icml2025-poster-session.html"


def run(*argv):
    return main([str(arg) for arg in argv])


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The poster session twice (two session ids, so its events repeat), once with an author
    spelled without accents, plus a login wall that failed."""
    use_parse_side(monkeypatch)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_bytes(POSTERS.read_bytes())
    respelled = POSTERS.read_bytes().replace("Émilie du Châtelet".encode(), b"Emilie du Chatelet")
    (pages / "b.html").write_bytes(respelled)
    (pages / "wall.html").write_bytes((EDGE / "login-wall.html").read_bytes())
    out = tmp_path / "out"
    base = "https://icml.cc/virtual/2025/session/"
    assert run("parse", pages / "a.html", "-o", out, "--url", base + "1001") == 0
    assert run("parse", pages / "b.html", "-o", out, "--url", base + "1002") == 0
    assert run("parse", pages / "wall.html", "-o", out) == 1
    return out


def test_json_summary_counts_each_conference_year(folder, capsys):
    capsys.readouterr()
    assert run("info", folder, "--json") == 0
    summary = json.loads(capsys.readouterr().out)
    (icml,) = summary["conference_years"]
    talks = json.loads((folder / "talks.json").read_text(encoding="utf-8"))
    assert (icml["conference"], icml["year"]) == ("ICML", 2025)
    assert icml["sessions"] == 2
    assert icml["talks"] == len(talks) == 8
    assert icml["events"] == len({talk["event_id"] for talk in talks}) == 4
    assert icml["exact_times"] == 1.0
    starts = [datetime.fromisoformat(talk["start"]) for talk in talks]
    ends = [datetime.fromisoformat(talk["end"]) for talk in talks]
    assert datetime.fromisoformat(icml["first_start"]) == min(starts)
    assert datetime.fromisoformat(icml["last_end"]) == max(ends)


def test_duplicates_are_named(folder, capsys):
    capsys.readouterr()
    run("info", folder, "--json")
    duplicates = json.loads(capsys.readouterr().out)["duplicates"]
    repeated = duplicates["events_in_several_sessions"]
    assert len(repeated) == 4
    assert all(event["sessions"] == ["1001", "1002"] for event in repeated)
    assert duplicates["authors_with_several_spellings"] == [
        ["Emilie du Chatelet", "Émilie du Châtelet"]
    ]


def test_problems_are_counted_by_kind(folder, capsys):
    capsys.readouterr()
    run("info", folder, "--json")
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert problems["errors"] == 1
    assert {"severity": "error", "stage": "parse", "kind": "login required", "count": 1} in (
        problems["by_kind"]
    )


def test_plain_table(folder, capsys):
    capsys.readouterr()
    assert run("info", folder) == 0
    out = capsys.readouterr().out
    header, icml = out.splitlines()[1:3]
    assert header.split()[:6] == ["conference", "year", "sessions", "talks", "events", "authors"]
    assert icml.split()[:6] == ["ICML", "2025", "2", "8", "4", "10"]
    assert "events in several sessions: 4" in out
    assert "Emilie du Chatelet | Émilie du Châtelet" in out
    assert "1 error," in out


def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run("info", tmp_path / "nope")
    assert exited.value.code == 2
    assert "no such folder" in capsys.readouterr().err


def test_folder_without_output_is_an_error(tmp_path, capsys):
    assert run("info", tmp_path) == 1
    assert "no sessions table" in capsys.readouterr().err


def test_folder_whose_pages_all_failed_is_an_error(tmp_path, capsys):
    out = tmp_path / "out"
    assert run("parse", EDGE / "login-wall.html", "-o", out) == 1
    capsys.readouterr()
    assert run("info", out) == 1
    assert "holds no sessions, talks or events" in capsys.readouterr().err


def test_events_are_counted_from_the_events_table(folder, tmp_path, monkeypatch, capsys):
    """A detail page of a shown event adds no event; one of a paper no session shows adds one,
    in a conference-year of its own when no session of that year is in the folder."""
    pages = use_parse_side(monkeypatch)
    shown = saved_detail_page(pages, tmp_path / "41002.html", "41002", title="Robust Attention")
    alone = saved_detail_page(pages, tmp_path / "39001.html", "39001", year=2024, title="Old")
    assert run("parse", shown, alone, "-o", folder) == 0
    capsys.readouterr()
    assert run("info", folder, "--json") == 0
    years = json.loads(capsys.readouterr().out)["conference_years"]
    assert [(y["year"], y["sessions"], y["talks"], y["events"]) for y in years] == [
        (2024, 0, 0, 1),
        (2025, 2, 8, 4),
    ]


def test_a_folder_of_two_years_prints_both_with_their_counts(tmp_path, capsys):
    out = tmp_path / "out"
    assert run("parse", SESSIONS, "-o", out, "--conference", "ICML") == 0
    capsys.readouterr()
    assert run("info", out, "--json") == 0
    rows = {
        (row["conference"], row["year"]): (row["sessions"], row["talks"])
        for row in json.loads(capsys.readouterr().out)["conference_years"]
    }
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    for year in (2022, 2025):
        expected = (
            sum(s["year"] == year for s in sessions),
            sum(t["year"] == year for t in talks),
        )
        assert rows[("ICML", year)] == expected and expected[0] > 0
    assert run("info", out) == 0
    table = capsys.readouterr().out
    assert re.search(r"^ICML\s+2022\s", table, re.M) and re.search(r"^ICML\s+2025\s", table, re.M)
