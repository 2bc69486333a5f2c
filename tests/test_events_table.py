"""The events table: one row per (conference, year, event_id), merged from what every source in
the folder says (kept per source in event_claims.json), written in every table format, read by
load(), checked like the other files, and kept whole by runs at once."""

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import schedscrape
from schedscrape.cli import main
from schedscrape.models import Event
from tests.conftest import EDGE, SESSIONS
from tests.parse_side import saved_detail_page, use_parse_side
from tests.test_concurrent_runs import FORK, parse_at_the_barrier
from tests.test_dataset_trust import snapshot

POSTER, ORAL = SESSIONS / "icml2025-poster-session.html", SESSIONS / "icml2022-oral-session.html"
TRUNCATED = EDGE / "truncated.html"  # session 50201 like POSTER, its last card cut off
POSTER_EVENTS = ["41001", "41002", "41003", "41004"]
FULL_ABSTRACT = "We study attention under distribution shift. " * 40
DETAIL = {  # what the detail page of event 41002 says
    "event_type": "Spotlight Poster",
    "title": "Robust “Attention” Under Shift",
    "title_raw": "Robust ``Attention'' Under Shift",
    "authors": ["Émilie du Châtelet"],
    "abstract": FULL_ABSTRACT.strip(),
    "abstract_raw": FULL_ABSTRACT,
    "openreview_url": "https://openreview.net/forum?id=AbC123",
    "paper_url": "https://icml.cc/virtual/2025/paper/41002.pdf",
}


def parse(out: Path, *args: Path | str, formats: str = "csv,json,parquet") -> int:
    return main(["parse", *map(str, args), "-o", str(out), "--format", formats])


def events(out: Path) -> dict[str, dict]:
    """events.json by event id, each id once."""
    rows = json.loads((out / "events.json").read_text(encoding="utf-8"))
    by_id = {row["event_id"]: row for row in rows}
    assert len(by_id) == len(rows)
    return by_id


def claims(out: Path) -> list[dict]:
    return json.loads((out / "event_claims.json").read_text(encoding="utf-8"))


def assert_same_frame(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    for column in expected.columns:  # an all-missing column has no type to agree on
        if expected[column].notna().any():
            assert got[column].dtype == expected[column].dtype, column
    pd.testing.assert_frame_equal(got.astype(str), expected.astype(str), check_categorical=False)


def without_card(tmp_path: Path, number: int) -> bytes:
    """The poster session page with its `number`th card cut out."""
    html = POSTER.read_text(encoding="utf-8")
    starts = [i for i in range(len(html)) if html.startswith('<div class="track-schedule-card"', i)]
    return (html[: starts[number - 1]] + html[starts[number] :]).encode()


# --- a detail page fills in links and the full abstract, before or after its session page ----


def test_a_detail_page_fills_in_links_in_either_order_across_runs(tmp_path, monkeypatch):
    pages = use_parse_side(monkeypatch)
    detail = saved_detail_page(pages, tmp_path / "poster-41002.html", "41002", **DETAIL)
    results = []
    for order in [(POSTER, detail), (detail, POSTER)]:
        out = tmp_path / f"out-{order[0].name}"
        for page in order:  # separate runs into one folder
            assert parse(out, page) == 0
        by_id = events(out)
        assert sorted(by_id) == POSTER_EVENTS
        merged = by_id["41002"]
        assert {name: merged[name] for name in DETAIL} == DETAIL
        assert merged["poster_position"] == "#E-102"  # only the session page shows the board
        assert merged["start"] == "2025-07-15T16:30:00-07:00" and merged["timezone"] == "PDT"
        assert merged["url"] == "https://icml.cc/virtual/2025/poster/41002"
        assert merged["session_ids"] == ["50201"]
        assert merged["sources"] == sorted([str(POSTER), str(detail)])
        assert by_id["41001"]["sources"] == [str(POSTER)] and not by_id["41001"]["openreview_url"]
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert (manifest["dataset"]["events"], manifest["dataset"]["event_claims"]) == (4, 5)
        assert [run["counts"]["events"] for run in manifest["runs"]] == (
            [4, 1] if order[0] == POSTER else [1, 4]
        )
        results.append(by_id)
    assert results[0] == results[1]


def test_every_format_and_load_hold_the_same_events_with_real_dtypes(tmp_path, monkeypatch):
    pages = use_parse_side(monkeypatch)
    detail = saved_detail_page(pages, tmp_path / "poster-41002.html", "41002", **DETAIL)
    out = tmp_path / "out"
    assert parse(out, POSTER, ORAL, detail) == 0
    expected = [Event.model_validate(row) for row in events(out).values()]
    assert len(expected) == 9
    with (out / "events.csv").open(encoding="utf-8", newline="") as stream:
        header = stream.readline().strip().split(",")
    assert header == list(Event.model_fields)
    parquet = pq.read_table(out / "events.parquet")
    assert parquet.schema.field("session_ids").type.value_type == "string"
    assert str(parquet.schema.field("start").type) == "timestamp[us, tz=UTC]"

    frames = {}
    for fmt in ("parquet", "json", "csv"):
        folder = tmp_path / fmt
        folder.mkdir()
        for name in ("sessions", "talks", "talk_authors", "events"):
            shutil.copy(out / f"{name}.{fmt}", folder)
        frames[fmt] = schedscrape.load(folder).events
    loaded = frames["parquet"]
    assert loaded["event_id"].tolist() == [event.event_id for event in expected]
    for fmt in ("json", "csv"):
        assert_same_frame(frames[fmt], loaded)
    assert str(loaded["start"].dtype) == "datetime64[us, UTC]"
    assert str(loaded["year"].dtype) == "Int64"
    assert {str(loaded[name].dtype) for name in ("conference", "event_type")} == {"category"}
    row = loaded.set_index("event_id").loc["41002"]
    assert row["sources"] == sorted([str(POSTER), str(detail)])
    assert row["session_ids"] == ["50201"] and row["authors"] == ["Émilie du Châtelet"]
    assert row["openreview_url"] == DETAIL["openreview_url"]
    assert row["start"] == pd.Timestamp("2025-07-15T23:30:00Z")


def test_load_without_an_events_table_merges_the_claims(tmp_path, monkeypatch):
    pages = use_parse_side(monkeypatch)
    detail = saved_detail_page(pages, tmp_path / "poster-41002.html", "41002", **DETAIL)
    out = tmp_path / "out"
    assert parse(out, POSTER, detail, formats="parquet") == 0
    expected = schedscrape.load(out).events
    for path in out.glob("events.*"):
        path.unlink()
    assert_same_frame(schedscrape.load(out).events, expected)
    assert expected.set_index("event_id").loc["41002", "openreview_url"]


# --- re-parsing a source replaces only what it said ----------------------------------------


def test_parsing_a_source_again_replaces_only_its_claims(tmp_path, monkeypatch):
    pages = use_parse_side(monkeypatch)
    session = tmp_path / "50201.html"
    shutil.copy(POSTER, session)
    detail = saved_detail_page(pages, tmp_path / "poster-41002.html", "41002", **DETAIL)
    other = saved_detail_page(pages, tmp_path / "poster-41004.html", "41004", title="Privacy")
    out = tmp_path / "out"
    assert parse(out, session, detail, other) == 0

    # The detail page again, now without its OpenReview link and with a new title.
    saved_detail_page(pages, detail, "41002", **{**DETAIL, "openreview_url": None, "title": "v2"})
    assert parse(out, detail) == 0
    by_id = events(out)
    assert by_id["41002"]["title"] == "v2" and by_id["41002"]["openreview_url"] is None
    assert by_id["41002"]["paper_url"] == DETAIL["paper_url"]
    assert by_id["41002"]["poster_position"] == "#E-102"  # the session page's claim stays
    assert by_id["41004"]["title"] == "Privacy"  # another detail page's claim stays
    assert len(claims(out)) == 6

    # The session page again, without the card of 41002: the detail page's claim alone is left.
    session.write_bytes(without_card(tmp_path, 2))
    assert parse(out, session) == 0
    by_id = events(out)
    assert sorted(by_id) == POSTER_EVENTS
    assert by_id["41002"]["sources"] == [str(detail)] and by_id["41002"]["session_ids"] == []
    assert by_id["41002"]["poster_position"] is None and by_id["41002"]["title"] == "v2"
    assert by_id["41003"]["sources"] == [str(session)]
    assert by_id["41004"]["sources"] == sorted([str(session), str(other)])
    assert len(claims(out)) == 5


@pytest.mark.parametrize(
    "runs", [[(TRUNCATED, POSTER)], [[POSTER], [TRUNCATED]], [[TRUNCATED], [POSTER]]]
)
def test_a_truncated_copy_left_out_claims_nothing(tmp_path, monkeypatch, runs):
    use_parse_side(monkeypatch)
    for pages in runs:
        parse(tmp_path, *pages)
    assert {event["event_id"]: event["sources"] for event in events(tmp_path).values()} == {
        event_id: [str(POSTER)] for event_id in POSTER_EVENTS
    }
    assert {claim["event"]["sources"][0] for claim in claims(tmp_path)} == {str(POSTER)}


def test_a_folder_written_before_the_events_table_gets_its_events(tmp_path, monkeypatch):
    """An earlier version wrote no events table and no claims: its talks are its claims."""
    use_parse_side(monkeypatch)
    assert parse(tmp_path, POSTER) == 0
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    for name in ("event_claims.json", "events.json", "events.csv", "events.parquet"):
        (tmp_path / name).unlink()
    manifest["files"] = [entry for entry in manifest["files"] if "event" not in entry["name"]]
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert schedscrape.load(tmp_path).events["event_id"].tolist() == POSTER_EVENTS
    assert parse(tmp_path, ORAL) == 0
    by_id = events(tmp_path)
    assert len(by_id) == 9 and by_id["41001"]["sources"] == [str(POSTER)]
    assert by_id["41001"]["poster_position"] == "#E-101"


# --- the new files are checked like the others ----------------------------------------------


def _edited(data: bytes) -> bytes:
    return data.replace(b"41002", b"41009")


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("event_claims.json", _edited),
        ("events.json", _edited),
        ("events.csv", _edited),
        ("events.parquet", lambda data: data[: len(data) // 2]),
    ],
)
def test_a_tampered_events_file_stops_the_run_and_changes_nothing(
    tmp_path, monkeypatch, capsys, name, damage
):
    use_parse_side(monkeypatch)
    assert parse(tmp_path, POSTER) == 0
    path = tmp_path / name
    path.write_bytes(damage(path.read_bytes()))
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, ORAL) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"schedscrape: error: cannot merge into {tmp_path}: {name} was changed")
    assert "--fresh" in line
    assert snapshot(tmp_path) == before


def _claims_of_a_session_not_there(text: str) -> str:
    return text.replace(str(POSTER), "elsewhere.html")


@pytest.mark.parametrize(
    ("manifest", "damage", "message"),
    [
        ("deleted", lambda text: "[", "event_claims.json: Invalid JSON"),
        ("deleted", lambda text: '[{"kind": "detail page"}]', "record 1, event: Field required"),
        (
            "deleted",
            lambda text: '[{"kind": "detail page", "event": {"event_id": "1"}}]',
            "event_claims.json: record 1: Value error, a claim is one source's",
        ),
        (
            "deleted",
            _claims_of_a_session_not_there,
            "event_claims.json has claims of session 50201 from elsewhere.html, "
            "which is not in the sessions table",
        ),
        ("kept", None, "event_claims.json is missing"),
        ("deleted", None, "event_claims.json is missing"),  # events.json says it was written
    ],
)
def test_event_claims_that_do_not_read_back_stop_the_run(
    tmp_path, monkeypatch, capsys, manifest, damage, message
):
    use_parse_side(monkeypatch)
    assert parse(tmp_path, POSTER) == 0
    path = tmp_path / "event_claims.json"
    if manifest == "deleted":
        (tmp_path / "manifest.json").unlink()
    if damage is None:
        path.unlink()
    else:
        path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = snapshot(tmp_path)
    capsys.readouterr()
    assert parse(tmp_path, ORAL) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert message in line and "--fresh" in line
    assert snapshot(tmp_path) == before


# --- runs at once keep every source's claims ------------------------------------------------


def test_runs_at_once_keep_every_claim(tmp_path, monkeypatch):
    """Three runs write at the same instant, each with a session page and a detail page: every
    event keeps every source's claim."""
    pages = use_parse_side(monkeypatch)  # set before the fork: every run has it
    out = tmp_path / "out"
    details = [
        saved_detail_page(pages, tmp_path / f"poster-{event}.html", event, **DETAIL)
        for event in ("41001", "41002", "41003")
    ]
    inputs = [[POSTER, details[0]], [ORAL, details[1]], [details[2]]]
    barrier = FORK.Barrier(3)
    runs = [
        FORK.Process(
            target=parse_at_the_barrier,
            args=(barrier, ["parse", *map(str, paths), "-o", str(out), "--format", "json"]),
        )
        for paths in inputs
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)
    assert [run.exitcode for run in runs] == [0, 0, 0]
    by_id = events(out)
    assert len(by_id) == 9 and len(claims(out)) == 12
    for event, detail in zip(("41001", "41002", "41003"), details, strict=True):
        assert by_id[event]["sources"] == sorted([str(POSTER), str(detail)])
        assert by_id[event]["openreview_url"] == DETAIL["openreview_url"]
