"""The output folder never loses data silently: whatever formats it holds, a run reads it back or
refuses with one line; a tampered file stops the run before anything is written; a complete copy
of a session beats a truncated one; errors.jsonl covers the whole dataset."""

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from icalendar import Calendar

import schedscrape
from schedscrape import parse_page
from schedscrape.cli import main
from schedscrape.export import WRITERS, Dataset, DatasetError
from schedscrape.export.calendar import IcsWriter
from schedscrape.export.schedule import HtmlWriter
from schedscrape.export.writers import CsvWriter
from tests.conftest import EDGE, SESSIONS
from tests.fakesite import session_page

ORAL, POSTER = SESSIONS / "icml2022-oral-session.html", SESSIONS / "icml2025-poster-session.html"
TRUNCATED = EDGE / "truncated.html"  # session 50201 like POSTER, its last card cut off
HOSTILE = {  # text a CSV cell neutralises or joins: it must still read back exactly
    "Learning to Schedule Conference Talks": "=HYPERLINK(&quot;http://x&quot;) @ -1 +2",
    "Alan Turing": "-Alan Turing",
    "We cluster $n$ points": "A long abstract. " * 20_000,  # beyond csv's default cell limit
}


def parse(out: Path, *args: Path | str, formats: str = "csv,json,parquet") -> int:
    """`schedscrape parse` of pages (and options) into `out`."""
    return main(["parse", *map(str, args), "-o", str(out), "--format", formats])


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in the folder, hidden ones included, byte for byte."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def problems(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]


def hostile_poster(tmp_path: Path) -> Path:
    text = POSTER.read_text(encoding="utf-8")
    for plain, hostile in HOSTILE.items():
        text = text.replace(plain, hostile)
    page = tmp_path / "hostile.html"
    page.write_text(text, encoding="utf-8")
    return page


# --- item 1: a folder holding only CSV, ICS or HTML keeps its earlier sessions ---------------


@pytest.mark.parametrize("fmt", ["csv", "ics", "html"])
def test_a_single_format_folder_keeps_earlier_sessions(tmp_path, fmt):
    assert parse(tmp_path, ORAL, formats=fmt) == 0
    assert parse(tmp_path, POSTER, formats=fmt) == 0
    tables = schedscrape.load(tmp_path)
    assert sorted(tables.sessions["session_id"]) == ["20119", "50201"]
    assert len(tables.talks) == 9
    if fmt == "csv":
        assert len(pd.read_csv(tmp_path / "sessions.csv")) == 2
    if fmt == "ics":
        calendar = Calendar.from_ical((tmp_path / "talks.ics").read_bytes())
        assert len(calendar.walk("VEVENT")) == 9
    if fmt == "html":
        page = (tmp_path / "schedule.html").read_text(encoding="utf-8")
        assert page.count('<li class="talk"') == 9


def test_a_folder_written_before_json_was_kept_reads_back_from_csv(tmp_path):
    """A CSV-only folder from an earlier version: lists, quotes and offsets come back exactly."""
    hostile = parse_page(hostile_poster(tmp_path).read_bytes(), source="hostile.html")
    out = tmp_path / "out"
    out.mkdir()
    CsvWriter().write(Dataset.from_pages([hostile]), out)
    (out / "events.csv").unlink()  # nor an events table
    assert parse(out, ORAL, formats="csv") == 0
    merged = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    kept = [row for row in merged if row["session_id"] == "50201"]
    assert kept == [talk.model_dump(mode="json") for talk in hostile.talks]
    assert kept[2]["title"].startswith("=HYPERLINK(") and kept[2]["authors"][0] == "-Alan Turing"
    assert len(kept[0]["abstract_raw"]) > 300_000
    assert len(pd.read_csv(out / "talks.csv")) == 9


@pytest.mark.parametrize("writer", [IcsWriter, HtmlWriter])
def test_a_folder_that_cannot_be_read_back_is_refused(tmp_path, capsys, writer):
    """An ICS- or HTML-only folder from an earlier version: one line naming --fresh, no change."""
    writer().write(Dataset.from_pages([parse_page(ORAL.read_bytes(), source="oral")]), tmp_path)
    before = snapshot(tmp_path)
    assert parse(tmp_path, POSTER, formats="ics,html") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"schedscrape: error: cannot merge into {tmp_path}")
    assert "cannot be read back" in err[0] and "--fresh" in err[0]
    assert snapshot(tmp_path) == before
    assert parse(tmp_path, POSTER, "--fresh", formats="ics,html") == 0


# --- item 2: load() reads CSV with real dtypes, or raises ------------------------------------


def test_load_reads_a_csv_only_folder_with_the_dtypes_of_parquet(tmp_path):
    dataset = Dataset.from_pages(
        [parse_page(p.read_bytes(), source=p.name) for p in (ORAL, hostile_poster(tmp_path))]
    )
    from_csv, from_parquet = tmp_path / "csv", tmp_path / "parquet"
    for folder, fmt in ((from_csv, "csv"), (from_parquet, "parquet")):
        folder.mkdir()
        WRITERS[fmt]().write(dataset, folder)
    csv_tables, parquet_tables = schedscrape.load(from_csv), schedscrape.load(from_parquet)
    for name in ("sessions", "talks", "talk_authors"):
        got, expected = getattr(csv_tables, name), getattr(parquet_tables, name)
        assert len(got) == len(expected) > 0
        for column in expected.columns:  # an all-missing column has no type to agree on
            if expected[column].notna().any():
                assert got[column].dtype == expected[column].dtype, (name, column)
        pd.testing.assert_frame_equal(
            got.astype(str), expected.astype(str), check_dtype=False, check_categorical=False
        )
    talks = csv_tables.talks
    assert str(talks["start"].dtype) == "datetime64[us, UTC]"
    assert talks.loc[0, "authors"][:2] == ["Nan Du", "Yanping Huang"]
    assert "-Alan Turing" in talks.loc[7, "authors"]
    assert str(talks["position"].dtype) == "Int64" and str(talks["event_type"].dtype) == "category"


def test_load_refuses_a_folder_without_tables_or_with_a_broken_one(tmp_path):
    IcsWriter().write(Dataset.from_pages([parse_page(ORAL.read_bytes(), source="o")]), tmp_path)
    with pytest.raises(DatasetError, match="no sessions table"):
        schedscrape.load(tmp_path)
    out = tmp_path / "out"
    assert parse(out, ORAL, formats="json") == 0
    (out / "talks.json").write_text("{}")
    with pytest.raises(DatasetError, match=r"^cannot load .*talks.json: Input should be"):
        schedscrape.load(out)


# --- item 5: a tampered folder is one clear error, and stays byte for byte as it was --------


@pytest.mark.parametrize("content", ["{}", "null", "42", "[1]", "[{}]", "[", "[]", ""])
@pytest.mark.parametrize("manifest", ["kept", "deleted"])
def test_a_tampered_sessions_json_stops_the_run_and_changes_nothing(
    tmp_path, capsys, content, manifest
):
    assert parse(tmp_path, ORAL) == 0
    (tmp_path / "sessions.json").write_text(content)
    if manifest == "deleted":  # no hashes to compare: the records themselves must not pass
        (tmp_path / "manifest.json").unlink()
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, POSTER) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0]
    assert err[0].startswith(f"schedscrape: error: cannot merge into {tmp_path}: ")
    assert "--fresh" in err[0]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        ("talks.json", lambda b: b.replace(b'"position":2', b'"position":1'), "changed after"),
        ("talks.csv", lambda b: b.replace(b"Scal", b"Sca1"), "changed after"),
        ("sessions.parquet", lambda b: b[: len(b) // 2], "changed after"),
        ("errors.jsonl", lambda b: b + b'{"source": 1}\n', "changed after"),
        ("manifest.json", lambda b: b[:-20], "manifest.json is not valid JSON"),
        ("manifest.json", lambda b: b"[]", "manifest.json is not a schedscrape manifest"),
    ],
)
def test_any_tampered_file_stops_the_run(tmp_path, capsys, name, damage, message):
    assert parse(tmp_path, ORAL) == 0
    path = tmp_path / name
    path.write_bytes(damage(path.read_bytes()))
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, POSTER) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert message in line and name in line and "--fresh" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("talks.json", "[", "talks.json: Invalid JSON"),
        ("errors.jsonl", '{"source": 1}\n', "errors.jsonl line 1: source: Input should be"),
        ("sessions.json", "[]", "talks.json has talks of session 20119, which is not there"),
        ("talks.json", None, "talks.json is missing"),
    ],
)
def test_without_a_manifest_the_records_themselves_are_checked(
    tmp_path, capsys, name, content, message
):
    assert parse(tmp_path, ORAL, formats="json") == 0
    (tmp_path / "manifest.json").unlink()
    if content is None:
        (tmp_path / name).unlink()
    else:
        (tmp_path / name).write_text(content)
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, POSTER) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert message in line
    assert snapshot(tmp_path) == before


def test_a_session_listed_twice_is_refused(tmp_path, capsys):
    assert parse(tmp_path, ORAL, formats="json") == 0
    (tmp_path / "manifest.json").unlink()
    sessions = json.loads((tmp_path / "sessions.json").read_text())
    (tmp_path / "sessions.json").write_text(json.dumps(sessions * 2))
    assert parse(tmp_path, POSTER) == 1
    assert "lists session 20119 more than once" in capsys.readouterr().err


# --- item 4: a complete copy of a page beats a truncated one ---------------------------------


@pytest.mark.parametrize("order", [(TRUNCATED, POSTER), (POSTER, TRUNCATED)])
def test_the_complete_copy_wins_in_either_order(tmp_path, capsys, order):
    assert parse(tmp_path, *order) == 1  # the truncated page still failed
    (session,) = json.loads((tmp_path / "sessions.json").read_text())
    assert session["source"] == str(POSTER) and session["talk_count"] == 4
    assert len(json.loads((tmp_path / "talks.json").read_text())) == 4
    warning = f"schedscrape: warning: {TRUNCATED}: incomplete copy of session 50201 not used"
    assert warning in capsys.readouterr().err
    left_out = [p for p in problems(tmp_path) if p["stage"] == "merge"]
    assert [(p["source"], p["severity"]) for p in left_out] == [(str(TRUNCATED), "warning")]
    assert str(POSTER) in left_out[0]["message"]


def test_a_truncated_copy_in_a_later_run_keeps_the_complete_one(tmp_path, capsys):
    assert parse(tmp_path, POSTER) == 0
    assert parse(tmp_path, TRUNCATED) == 1
    (session,) = json.loads((tmp_path / "sessions.json").read_text())
    assert session["talk_count"] == 4 and session["source"] == str(POSTER)
    assert "the complete copy already in the folder" in capsys.readouterr().err
    assert parse(tmp_path, POSTER) == 0  # a complete copy still replaces a complete one
    assert json.loads((tmp_path / "sessions.json").read_text())[0]["talk_count"] == 4


def test_a_page_downloaded_again_truncated_keeps_its_complete_copy(tmp_path):
    """The same source, complete once and then truncated twice: the complete copy stays."""
    page, out = tmp_path / "50201.html", tmp_path / "out"
    shutil.copy(POSTER, page)
    assert parse(out, page) == 0
    shutil.copy(TRUNCATED, page)
    for _ in range(2):
        assert parse(out, page) == 1
        assert json.loads((out / "sessions.json").read_text())[0]["talk_count"] == 4
        assert len(json.loads((out / "talks.json").read_text())) == 4
        assert "not used" in problems(out)[-1]["message"]


def test_of_two_truncated_copies_the_one_with_more_talks_is_kept(tmp_path):
    data = TRUNCATED.read_bytes()
    cards = [match.start() for match in re.finditer(b"track-schedule-card", data)]
    shorter = tmp_path / "shorter.html"
    shorter.write_bytes(data[: cards[2] + 40])
    assert parse_page(shorter.read_bytes()).session.talk_count == 2
    for order in [(TRUNCATED, shorter), (shorter, TRUNCATED)]:
        out = tmp_path / f"out-{order[0].name}"
        assert parse(out, *order) == 1
        assert json.loads((out / "sessions.json").read_text())[0]["talk_count"] == 3
        (note,) = [p for p in problems(out) if p["stage"] == "merge"]
        assert note["source"] == str(shorter) and "the copy with more talks" in note["message"]


# --- item 6: errors.jsonl covers the dataset ---------------------------------------------------


def test_errors_jsonl_keeps_each_sources_problems_until_it_is_parsed_again(tmp_path):
    zones = EDGE / "ambiguous-zone.html"
    assert parse(tmp_path, zones) == 0
    warnings = problems(tmp_path)
    assert warnings and {p["source"] for p in warnings} == {str(zones)}
    assert parse(tmp_path, ORAL) == 0  # another page: the zone warnings stay
    assert problems(tmp_path) == warnings
    assert parse(tmp_path, ORAL, EDGE / "empty.html") == 1
    assert problems(tmp_path)[: len(warnings)] == warnings
    assert problems(tmp_path)[-1]["message"] == "page is empty"
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert (manifest["counts"]["errors"], manifest["counts"]["warnings"]) == (1, 0)
    assert manifest["dataset"]["errors"] == 1
    assert manifest["dataset"]["warnings"] == len(warnings)
    assert parse(tmp_path, zones, "--zone", "IST=+05:30") == 0  # parsed again: warnings gone
    assert [p["source"] for p in problems(tmp_path)] == [str(EDGE / "empty.html")]
    assert parse(tmp_path, EDGE / "empty.html", ORAL) == 1
    assert [p["message"] for p in problems(tmp_path)] == ["page is empty"]
    assert parse(tmp_path, ORAL, "--fresh") == 0
    assert problems(tmp_path) == []


def test_a_fresh_run_that_reads_nothing_leaves_the_folder_as_it_was(tmp_path, capsys):
    """--fresh starts empty, but never by replacing a dataset with nothing: a run whose every
    page failed is one line, and the folder keeps every byte."""
    assert parse(tmp_path, ORAL) == 0
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, EDGE / "empty.html", "--fresh") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == (
        f"schedscrape: error: nothing was read, so {tmp_path} is left as it was "
        "(--fresh would have replaced its data with nothing)"
    )
    assert snapshot(tmp_path) == before
    # Into a new folder, the same run writes what it has: the failure in errors.jsonl.
    assert parse(tmp_path / "new", EDGE / "empty.html", "--fresh") == 1
    assert [p["message"] for p in problems(tmp_path / "new")] == ["page is empty"]


def test_sessions_of_two_sites_that_share_an_id_are_never_replaced_silently(tmp_path, capsys):
    """The key is the session id: the later copy wins, and a warning names both sites."""
    page = tmp_path / "101.html"
    page.write_bytes(session_page(2022, 101, 3))
    out = tmp_path / "out"
    for site in ("https://icml.cc", "https://neurips.cc"):
        url = f"{site}/virtual/2022/session/101"
        assert main(["parse", str(page), "--url", url, "-o", str(out)]) == 0
    warnings = [p for p in problems(out) if p["stage"] == "merge"]
    assert [p["message"] for p in warnings] == [
        "session 101 (NeurIPS 2022, neurips.cc) replaces another session of the same id in the "
        f"folder (ICML 2022, icml.cc, from {page}); keep each site in its own output folder "
        "to keep both"
    ]
    # In one run, the same; and the same session parsed again (www. or not) says nothing.
    sites = ("https://icml.cc", "https://www.icml.cc", "https://neurips.cc")
    pages = [parse_page(page.read_bytes(), url=f"{s}/virtual/2022/session/101") for s in sites]
    merged = Dataset.from_pages(pages)
    assert [p.message for p in merged.problems if p.stage == "merge"] == [
        "session 101 (NeurIPS 2022, neurips.cc) replaces another session of the same id parsed "
        "before it (ICML 2022, www.icml.cc, from https://www.icml.cc/virtual/2022/session/101); "
        "keep each site in its own output folder to keep both"
    ]
