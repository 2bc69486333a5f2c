"""Writing a run's results: the merged dataset in each format, errors.jsonl, event_claims.json
and manifest.json."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from schedscrape.export.atomic import atomic_text
from schedscrape.export.dataset import Dataset, DatasetError
from schedscrape.export.formats import WRITERS
from schedscrape.export.lock import folder_lock
from schedscrape.export.readback import CLAIMS, ERRORS, MANIFEST, read_folder
from schedscrape.export.writers import write_json_array
from schedscrape.models import Problem
from schedscrape.parse import PARSER_VERSION
from schedscrape.progress import report as report_line

# Always written, whatever --format says: the exact copy of the data the next run merges into.
EXACT_FORMAT = "json"


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

    def add(self, problems: Iterable[Problem]) -> None:
        """Record (and show on stderr) the problems not recorded yet, such as copies left out."""
        known = set(self.problems)
        for problem in problems:
            if problem not in known:
                known.add(problem)
                self.problems.append(problem)
                report_line(f"schedscrape: {problem.severity}: {problem.source}: {problem.message}")


def write_outputs(
    new: Dataset, directory: Path, formats: list[str], report: RunReport, *, fresh: bool = False
) -> Dataset:
    """Merge `new` into the dataset in `directory` (unless `fresh`) and write everything.

    One run at a time per folder: the read, the merge and the write all happen under the
    folder's lock. Every format already in the folder is rewritten too, so no file is left
    stale, and JSON is always written. All files are written into a private staging folder
    first, which is then marked committed and its files renamed into place, manifest last: a
    crash leaves each file old or new, never half written, and the next run finishes the
    renames of a committed folder. Returns the dataset written. A `fresh` run that read
    nothing leaves a folder that holds data as it was: a DatasetError.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with settled_folder(directory):
        present = [
            name
            for name, writer in WRITERS.items()
            if any((directory / file).exists() for file in writer.file_names())
        ]
        if fresh and present and not (new.sessions or new.claims):
            raise DatasetError(
                f"nothing was read, so {directory} is left as it was (--fresh would have "
                "replaced its data with nothing)"
            )
        existing, earlier = (Dataset(), []) if fresh else read_folder(directory)
        # The CLI records each page's problems as it goes; `new` holds them too, and any
        # copies of a session it left out, which are this run's problems as well.
        known = set(report.problems)
        run = replace(
            new,
            problems=[*report.problems, *(p for p in new.problems if p not in known)],
        )
        dataset = existing.merged_with(run)
        sources = run.sources()  # the merge may leave out more copies: record them too
        report.add(problem for problem in dataset.problems if problem.source in sources)
        staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=directory))
        try:
            staged: list[Path] = []
            for name in dict.fromkeys([*formats, *present, EXACT_FORMAT]):
                staged += WRITERS[name]().write(dataset, staging)
            errors_path = staging / ERRORS
            with atomic_text(errors_path) as stream:
                for problem in dataset.problems:
                    stream.write(json.dumps(problem.model_dump(), ensure_ascii=False) + "\n")
            staged.append(errors_path)
            write_json_array(dataset.claims, staging / CLAIMS)
            staged.append(staging / CLAIMS)
            _write_manifest(staging / MANIFEST, dataset, new, staged, report, earlier)
            _fsync_directory(staging)
            staging = _commit(staging)
            _move_into_place(staging, directory)
        finally:
            if staging.name.startswith(_STAGING):  # not committed: the old files stay
                shutil.rmtree(staging, ignore_errors=True)
    return dataset


_STAGING, _COMMITTED = ".staging-", ".committed-"


@contextlib.contextmanager
def settled_folder(directory: Path) -> Iterator[None]:
    """The folder under its writer lock, with what killed runs left finished or removed: no
    run changes it while the block reads (or writes) it."""
    with folder_lock(directory):
        _finish_interrupted_runs(directory)
        yield


def _commit(staging: Path) -> Path:
    """Mark a fully written staging folder committed: from now on its files go into place."""
    committed = staging.with_name(_COMMITTED + staging.name.removeprefix(_STAGING))
    os.rename(staging, committed)
    _fsync_directory(staging.parent)
    return committed


def _move_into_place(committed: Path, directory: Path) -> None:
    """Rename a committed folder's files into `directory`, manifest last; then remove it."""
    files = sorted(committed.iterdir(), key=lambda path: path.name == MANIFEST)
    for path in files:
        os.replace(path, directory / path.name)
    _fsync_directory(directory)
    committed.rmdir()


def _finish_interrupted_runs(directory: Path) -> None:
    """What killed runs left (under the lock, no other run is writing): a committed folder's
    renames are finished, a staging folder is removed with the old files left as they were."""
    for folder in directory.glob(f"{_COMMITTED}*"):
        _move_into_place(folder, directory)
    for folder in directory.glob(f"{_STAGING}*"):
        shutil.rmtree(folder, ignore_errors=True)


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
            "events": len(new.events),
            "errors": report.errors,
            "warnings": report.warnings,
            **report.extra_counts,
        },
    }
    severities = Counter(problem.severity for problem in dataset.problems)
    manifest = {
        **run,
        "dataset": {
            "sessions": len(dataset.sessions),
            "talks": len(dataset.talks),
            "talk_authors": len(dataset.rows("talk_authors")),
            "events": len(dataset.events),
            "event_claims": len(dataset.claims),
            "errors": severities["error"],
            "warnings": severities["warning"],
        },
        "files": [_file_entry(file) for file in written],
        "runs": [*earlier_runs, run],
    }
    with atomic_text(path) as stream:
        json.dump(manifest, stream, ensure_ascii=False, indent=2)
        stream.write("\n")
    return path


def _file_entry(path: Path) -> dict:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest}
