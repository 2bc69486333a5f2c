"""Writing a run's results: the merged dataset in each format, errors.jsonl and manifest.json."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from schedscrape.export.atomic import atomic_text
from schedscrape.export.dataset import Dataset
from schedscrape.export.formats import WRITERS
from schedscrape.models import Problem
from schedscrape.parse import PARSER_VERSION


@dataclass
class RunReport:
    """What one run did, for errors.jsonl, manifest.json and the closing summary line."""

    command: str
    arguments: list[str] = field(default_factory=lambda: sys.argv[1:])
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    pages: int = 0
    failed_pages: int = 0
    problems: list[Problem] = field(default_factory=list)
    extra_counts: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(problem.severity == "error" for problem in self.problems)

    @property
    def warnings(self) -> int:
        return sum(problem.severity == "warning" for problem in self.problems)


def write_outputs(
    new: Dataset, directory: Path, formats: list[str], report: RunReport, *, fresh: bool = False
) -> Dataset:
    """Merge `new` into the dataset in `directory` (unless `fresh`) and write everything.

    Every format already in the folder is rewritten too, so no file is left stale. All files
    are written into a private staging folder first and then renamed into place, manifest
    last: a crash leaves each file old or new, never half written. Returns the dataset written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(directory)
    dataset = new if fresh else Dataset.read(directory).merged_with(new)
    present = [
        name
        for name, writer in WRITERS.items()
        if any((directory / file).exists() for file in writer.file_names())
    ]
    staging = Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=directory))
    try:
        staged: list[Path] = []
        for name in dict.fromkeys([*formats, *present]):
            staged += WRITERS[name]().write(dataset, staging)
        errors_path = staging / "errors.jsonl"
        with atomic_text(errors_path) as stream:
            for problem in report.problems:
                stream.write(json.dumps(problem.model_dump(), ensure_ascii=False) + "\n")
        staged.append(errors_path)
        earlier = [] if fresh else _earlier_runs(directory / "manifest.json")
        staged.append(
            _write_manifest(staging / "manifest.json", dataset, new, staged, report, earlier)
        )
        for path in staged:  # renames only, manifest last
            os.replace(path, directory / path.name)
        _fsync_directory(directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return dataset


_STAGING = ".staging-"


def _remove_abandoned_staging(directory: Path) -> None:
    """Staging folders of runs that were killed (their process is gone)."""
    for folder in directory.glob(f"{_STAGING}*"):
        pid = folder.name.removeprefix(_STAGING).split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_directory(directory: Path) -> None:
    handle = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _write_manifest(
    path: Path,
    dataset: Dataset,
    new: Dataset,
    written: list[Path],
    report: RunReport,
    earlier_runs: list[dict],
) -> Path:
    from schedscrape import __version__

    run = {
        "schedscrape_version": __version__,
        "parser_version": PARSER_VERSION,
        "started_at": report.started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "command": report.command,
        "arguments": report.arguments,
        "counts": {
            "pages": report.pages,
            "failed_pages": report.failed_pages,
            "sessions": len(new.sessions),
            "talks": len(new.talks),
            "errors": report.errors,
            "warnings": report.warnings,
            **report.extra_counts,
        },
    }
    manifest = {
        **run,
        "dataset": {
            "sessions": len(dataset.sessions),
            "talks": len(dataset.talks),
            "talk_authors": len(dataset.rows("talk_authors")),
        },
        "files": [_file_entry(file) for file in written],
        "runs": [*earlier_runs, run],
    }
    with atomic_text(path) as stream:
        json.dump(manifest, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    return path


def _earlier_runs(manifest_path: Path) -> list[dict]:
    try:
        return list(json.loads(manifest_path.read_text(encoding="utf-8")).get("runs", []))
    except (OSError, ValueError, AttributeError):
        return []


def _file_entry(path: Path) -> dict:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest}
