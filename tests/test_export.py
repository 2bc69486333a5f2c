"""CSV, JSON and Parquet agree row for row; text survives exactly; files are replaced atomically."""

import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from schedscrape import parse_page
from schedscrape.export import Dataset, RunReport, write_outputs
from schedscrape.export.atomic import atomic_text
from schedscrape.export.writers import csv_cell
from schedscrape.models import Talk
from tests.conftest import SESSIONS
from tests.parse_side import with_events

FORMATS = ["csv", "json", "parquet"]


def pages(*names):
    return [with_events(parse_page((SESSIONS / name).read_bytes(), source=name)) for name in names]


def write(tmp_path: Path, dataset: Dataset, fresh=False, formats=FORMATS) -> Dataset:
    return write_outputs(dataset, tmp_path, formats, RunReport(command="test"), fresh=fresh)


@pytest.fixture
def out(tmp_path):
    write(
        tmp_path,
        Dataset.from_pages(pages("icml2025-poster-session.html", "icml2022-oral-session.html")),
    )
    return tmp_path


def test_all_files_are_written(out):
    names = {path.name for path in out.iterdir()}
    for table in ("sessions", "talks", "talk_authors", "events"):
        assert {f"{table}.{fmt}" for fmt in FORMATS} <= names
    assert {"errors.jsonl", "event_claims.json", "manifest.json"} <= names
    assert not [name for name in names if name.endswith(".tmp")]


def test_formats_agree_row_for_row(out):
    as_json = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    as_parquet = pd.read_parquet(out / "talks.parquet")
    with open(out / "talks.csv", encoding="utf-8", newline="") as stream:
        as_csv = list(csv.DictReader(stream))
    assert len(as_json) == len(as_parquet) == len(as_csv) == 9
    assert list(as_parquet.columns) == list(Talk.model_fields) == list(as_csv[0])
    for index, row in enumerate(as_json):
        parquet_row = as_parquet.iloc[index]
        assert parquet_row["title"] == row["title"] == as_csv[index]["title"]
        assert list(parquet_row["authors"]) == row["authors"]
        assert as_csv[index]["authors"] == "; ".join(row["authors"])
        assert parquet_row["start"] == pd.Timestamp(row["start"])
        assert as_csv[index]["start"] == row["start"]
        assert (row["abstract"] or "") == as_csv[index]["abstract"]


def test_json_keeps_offsets_unicode_and_nulls(out):
    text = (out / "talks.json").read_text(encoding="utf-8")
    rows = json.loads(text)
    assert "Émilie du Châtelet" in text  # not ASCII-escaped
    assert rows[0]["start"] == "2025-07-15T16:30:00-07:00"
    assert rows[2]["abstract"] is None


def test_parquet_gives_lists_and_aware_times(out):
    talks = pd.read_parquet(out / "talks.parquet")
    assert isinstance(talks.loc[0, "authors"], (list, tuple)) or hasattr(
        talks.loc[0, "authors"], "tolist"
    )
    assert str(talks["start"].dtype) == "datetime64[us, UTC]"
    assert talks.loc[0, "start"] == pd.Timestamp("2025-07-15T23:30:00Z")
    authors = pd.read_parquet(out / "talk_authors.parquet")
    assert list(authors.columns) == [
        "session_id",
        "position",
        "author_position",
        "name",
        "institution",
    ]
    first = authors.iloc[0].to_dict()
    assert pd.isna(first.pop("institution"))  # pages name no institution; feeds will
    assert first == {
        "session_id": "50201",
        "position": 1,
        "author_position": 1,
        "name": "Ada Lovelace",
    }


@pytest.mark.parametrize("text", ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_csv_neutralises_formula_cells(text):
    assert csv_cell(text) == "'" + text
    assert csv_cell(["=1", "b"]) == "'=1; b"
    assert csv_cell(-3) == "-3"  # numbers are data, not formulas
    assert csv_cell(None) == ""


def test_manifest_lists_files_with_hashes(out):
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    import hashlib

    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    assert manifest["dataset"] == {
        "sessions": 2,
        "talks": 9,
        "talk_authors": sum(len(t["authors"]) for t in talks),
        "events": 9,
        "event_claims": 9,
        "errors": 0,
        "warnings": 0,
    }
    assert len(manifest["runs"]) == 1


def test_runs_merge_keyed_by_session(tmp_path):
    poster, oral = pages("icml2025-poster-session.html", "icml2022-oral-session.html")
    write(tmp_path, Dataset.from_pages([poster]))
    write(tmp_path, Dataset.from_pages([oral]))
    merged = write(tmp_path, Dataset.from_pages([poster]))
    assert sorted(s.session_id for s in merged.sessions) == ["20119", "50201"]
    assert len(merged.talks) == 9
    on_disk = pd.read_parquet(tmp_path / "talks.parquet")
    assert len(on_disk) == 9 and not on_disk.duplicated(["session_id", "position"]).any()
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["runs"]) == 3
    fresh = write(tmp_path, Dataset.from_pages([oral]), fresh=True)
    assert [s.session_id for s in fresh.sessions] == ["20119"]
    assert len(pd.read_json(tmp_path / "talks.json")) == 5


def test_atomic_write_leaves_the_old_file_on_failure(tmp_path):
    target = tmp_path / "talks.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_text(target) as stream:
        stream.write("half of the new")
        raise RuntimeError("crash while writing")
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]
