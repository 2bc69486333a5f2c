"""Runs into one folder at once are serialised by a lock on the folder: every run's sessions
survive, every format agrees with the others and with the manifest, and a waiting run says so."""

import csv
import errno
import hashlib
import json
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import schedscrape
from schedscrape import cli
from schedscrape.export.lock import LOCK_NAME, folder_lock
from tests.conftest import EDGE, ROOT, SESSIONS
from tests.fakesite import session_page

POSTER, TRUNCATED = SESSIONS / "icml2025-poster-session.html", EDGE / "truncated.html"
FORK = multiprocessing.get_context("fork")
WAITING = "schedscrape: waiting for another schedscrape run writing to "


def pages(folder: Path, first: int, count: int) -> Path:
    """`count` generated session pages (40 talks each), ids from `first`, in a new folder."""
    folder.mkdir()
    for sid in range(first, first + count):
        (folder / f"{sid}.html").write_bytes(session_page(2022, sid, 40))
    return folder


def parse_at_the_barrier(barrier, argv: list[str]) -> None:
    """`schedscrape parse` in a forked process that starts writing when all the others do."""
    write = cli.write_outputs

    def write_in_step(*args, **kwargs):
        barrier.wait(timeout=60)
        return write(*args, **kwargs)

    cli.write_outputs = write_in_step
    sys.exit(cli.main(argv))


def assert_consistent(out: Path) -> list[dict]:
    """Every format holds the same sessions and talks, and every hash matches the manifest."""
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    with (out / "talks.csv").open(encoding="utf-8", newline="") as stream:
        csv_talks = list(csv.DictReader(stream))
    keys = sorted((t["session_id"], t["position"]) for t in talks)
    assert sorted((t["session_id"], int(t["position"])) for t in csv_talks) == keys
    parquet_talks = pq.read_table(out / "talks.parquet").to_pylist()
    assert sorted((t["session_id"], t["position"]) for t in parquet_talks) == keys
    parquet_sessions = pq.read_table(out / "sessions.parquet").column("session_id").to_pylist()
    assert sorted(parquet_sessions) == sorted(s["session_id"] for s in sessions)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        assert hashlib.sha256((out / entry["name"]).read_bytes()).hexdigest() == entry["sha256"]
    assert manifest["dataset"]["sessions"] == len(sessions)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]  # no lock, no staging
    return sessions


def test_runs_at_once_keep_every_session(tmp_path):
    """Three runs write at the same instant; one of them has a truncated copy of a session
    another one has complete. Every session survives, with its complete copy."""
    out = tmp_path / "out"
    inputs = [pages(tmp_path / f"pages{n}", 1000 + 100 * n, 25) for n in range(3)]
    extra = [TRUNCATED, POSTER, None]
    barrier = FORK.Barrier(3)
    runs = [
        FORK.Process(
            target=parse_at_the_barrier,
            args=(barrier, ["parse", str(folder), *([str(page)] if page else []), "-o", str(out)]),
        )
        for folder, page in zip(inputs, extra, strict=True)
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=120)
    assert [run.exitcode for run in runs] == [1, 0, 0]  # the truncated page failed
    sessions = assert_consistent(out)
    expected = {str(sid) for n in range(3) for sid in range(1000 + 100 * n, 1025 + 100 * n)}
    assert {s["session_id"] for s in sessions} == expected | {"50201"}
    (complete,) = [s for s in sessions if s["session_id"] == "50201"]
    assert complete["talk_count"] == 4
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["runs"]) == 3


def start_parse(out: Path, page: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "schedscrape", "parse", str(page), "-o", str(out)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    )


def waiting_line(run: subprocess.Popen) -> str:
    """The run's first stderr line about the lock (the run has ended if there is none)."""
    for line in run.stderr:
        if "waiting" in line or "summary" in line or "->" in line:
            return line
    return ""


def test_a_run_waits_for_the_lock_and_says_so(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    before = (out / "sessions.json").read_bytes()
    with folder_lock(out):
        run = start_parse(out, POSTER)
        assert waiting_line(run) == f"{WAITING}{out}\n"
        assert (out / "sessions.json").read_bytes() == before  # nothing written while waiting
    assert run.wait(timeout=60) == 0
    assert "Traceback" not in run.stderr.read()
    assert {s["session_id"] for s in assert_consistent(out)} == {"20119", "50201"}


def test_load_waits_for_a_run_writing_and_reads_its_whole_commit(tmp_path):
    """A reader never sees one table from before a run's commit and another from after."""
    out = tmp_path / "out"
    assert cli.main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    loaded = []
    with folder_lock(out):
        reader = threading.Thread(target=lambda: loaded.append(schedscrape.load(out)))
        reader.start()
        reader.join(timeout=0.5)
        assert reader.is_alive() and not loaded  # waiting for the writer
        # What the writer commits meanwhile: sessions and talks of another session.
        assert cli.main(["parse", str(POSTER), "-o", str(tmp_path / "other")]) == 0
        for name in ("sessions.parquet", "talks.parquet", "talk_authors.parquet"):
            os.replace(tmp_path / "other" / name, out / name)
    reader.join(timeout=60)
    tables = loaded[0]
    assert set(tables.talks["session_id"]) == set(tables.sessions["session_id"]) == {"50201"}


@pytest.mark.parametrize("refusal", [errno.EACCES, errno.EROFS])  # not ours; a read-only mount
def test_load_reads_a_folder_it_may_not_lock(tmp_path, monkeypatch, refusal):
    out = tmp_path / "out"
    assert cli.main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    opened = os.open

    def read_only(path, *args, **kwargs):
        if str(path).endswith(LOCK_NAME):
            raise OSError(refusal, os.strerror(refusal), str(path))
        return opened(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    assert list(schedscrape.load(out).sessions["session_id"]) == ["20119"]


def test_a_folder_tampered_while_a_run_waits_is_refused_untouched(tmp_path):
    out = tmp_path / "out"
    assert cli.main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0
    with folder_lock(out):
        run = start_parse(out, TRUNCATED)
        assert waiting_line(run) == f"{WAITING}{out}\n"
        (out / "sessions.json").write_text("{}")
        before = {p.name: p.read_bytes() for p in out.iterdir() if p.name != LOCK_NAME}
    assert run.wait(timeout=60) == 1
    lines = run.stderr.read().strip().splitlines()
    assert lines[-1].startswith(f"schedscrape: error: cannot merge into {out}: sessions.json")
    assert "Traceback" not in "\n".join(lines)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


@pytest.mark.parametrize("moved", [0, 3, 8])
def test_a_run_killed_between_its_renames_is_finished_by_the_one_waiting(tmp_path, moved):
    """Killed after committing, with some files renamed, while another run waits on the lock:
    the waiting run renames the rest (instead of finding files that disagree with the
    manifest) and then merges its own page."""
    out, go = tmp_path / "out", tmp_path / "go"
    assert cli.main(["parse", str(SESSIONS / "icml2022-oral-session.html"), "-o", str(out)]) == 0

    def killed_midway(committed: Path, directory: Path) -> None:
        while not go.exists():
            time.sleep(0.01)
        for path in sorted(committed.iterdir())[:moved]:
            os.replace(path, directory / path.name)
        os._exit(9)

    def killed_run() -> None:
        from schedscrape.export import run as run_module

        run_module._move_into_place = killed_midway
        cli.main(["parse", str(POSTER), "-o", str(out)])

    child = FORK.Process(target=killed_run)
    child.start()
    while not list(out.glob(".committed-*")) and child.is_alive():
        time.sleep(0.01)
    assert child.is_alive(), "the run ended before committing"
    waiting = start_parse(out, EDGE / "windows-1252.html")
    assert waiting_line(waiting) == f"{WAITING}{out}\n"
    go.touch()
    child.join(timeout=60)
    assert child.exitcode == 9
    assert waiting.wait(timeout=60) == 0
    sessions = assert_consistent(out)
    assert {s["session_id"] for s in sessions} == {"20119", "50201", "50202"}
