"""Outputs survive kill -9 mid-write and a full disk: every file is the old one or the new one,
complete, never half of one."""

import csv
import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from icalendar import Calendar

from schedscrape.cli import main
from schedscrape.export.writers import JsonWriter
from schedscrape.models import Talk
from tests.conftest import ROOT, SESSIONS

FORMATS = "csv,json,parquet,ics,html"
WRITER = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from schedscrape import parse_page
from schedscrape.export import Dataset, RunReport, write_outputs
from tests.fakesite import session_page
pages = [parse_page(session_page(2022, sid, 40), url=f"https://icml.cc/virtual/2022/session/{{sid}}")
         for sid in range(1000, 1150)]
dataset = Dataset.from_pages(pages)
print("ready", flush=True)
while True:  # keep writing until killed
    write_outputs(dataset, Path(sys.argv[1]), {FORMATS.split(",")!r}, RunReport(command="test"))
"""


def assert_complete(folder: Path) -> None:
    """Every visible output file reads back whole."""
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".parquet":
            pq.read_table(path)
        elif path.suffix == ".csv":
            text = path.read_text(encoding="utf-8")
            assert text.endswith("\n")
            rows = list(csv.reader(text.splitlines(keepends=True)))
            assert len({len(row) for row in rows}) == 1
        elif path.suffix == ".ics":
            Calendar.from_ical(path.read_bytes())
        elif path.suffix == ".html":
            assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                json.loads(line)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["files"]


def test_kill_9_while_writing_never_leaves_half_a_file(tmp_path):
    out = tmp_path / "out"
    assert main(["parse", str(SESSIONS), "-o", str(out), "--format", FORMATS]) == 0
    rng = random.Random(7)
    for _ in range(4):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(out)], stdout=subprocess.PIPE, text=True
        )
        assert child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 1.5))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        assert_complete(out)
    # The next run clears the killed runs' staging folders and writes a consistent dataset.
    assert main(["parse", str(SESSIONS), "-o", str(out)]) == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".staging-")]
    assert_complete(out)
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    assert len(talks) == pq.read_table(out / "talks.parquet").num_rows


def test_full_disk_is_one_clear_error_and_keeps_the_old_files(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "talks.json"))

    monkeypatch.setattr(JsonWriter, "write_table", no_space)
    assert main(["parse", str(SESSIONS), "-o", str(out)]) == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("schedscrape: error: No space left on device")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # nothing half-replaced


def test_stale_formats_are_rewritten_with_the_rest(tmp_path):
    out = tmp_path / "out"
    assert main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    assert (
        main(
            [
                "parse",
                str(SESSIONS / "icml2025-poster-session.html"),
                "-o",
                str(out),
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert pq.read_table(out / "talks.parquet").num_rows == 9  # not left at the first run's 5
    rows = list(csv.DictReader((out / "talks.csv").open(encoding="utf-8", newline="")))
    assert len(rows) == 9 and list(rows[0]) == list(Talk.model_fields)


@pytest.mark.parametrize("bad", ["file", "missing-parent"])
def test_unwritable_output(tmp_path, capsys, bad):
    target = tmp_path / "blocker"
    target.write_text("not a folder")
    out = target / "out" if bad == "file" else target / "a" / "b"
    assert main(["parse", str(SESSIONS), "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("schedscrape: error:")
