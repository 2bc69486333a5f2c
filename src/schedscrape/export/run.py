"""Writing a run's results: the merged dataset in each format, errors.jsonl and manifest.json."""

from __future__ import annotations

import hashlib
import json
import sys
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

    Returns the merged dataset that was written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    dataset = new if fresh else Dataset.read(directory).merged_with(new)
    written: list[Path] = []
    for name in formats:
        written += WRITERS[name]().write(dataset, directory)
    errors_path = directory / "errors.jsonl"
    with atomic_text(errors_path) as stream:
        for problem in report.problems:
            stream.write(json.dumps(problem.model_dump(), ensure_ascii=False) + "\n")
    written.append(errors_path)
    _write_manifest(directory, dataset, new, written, report, fresh)
    return dataset


def _write_manifest(
    directory: Path,
    dataset: Dataset,
    new: Dataset,
    written: list[Path],
    report: RunReport,
    fresh: bool,
) -> None:
    from schedscrape import __version__

    manifest_path = directory / "manifest.json"
    run = {
        "command": report.command,
        "arguments": report.arguments,
        "started_at": report.started_at.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "schedscrape_version": __version__,
        "parser_version": PARSER_VERSION,
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
    earlier_runs = [] if fresh else _earlier_runs(manifest_path)
    manifest = {
        **{
            key: run[key]
            for key in (
                "schedscrape_version",
                "parser_version",
                "started_at",
                "finished_at",
                "command",
                "arguments",
                "counts",
            )
        },
        "dataset": {
            "sessions": len(dataset.sessions),
            "talks": len(dataset.talks),
            "talk_authors": len(dataset.rows("talk_authors")),
        },
        "files": [_file_entry(path) for path in written],
        "runs": [*earlier_runs, run],
    }
    with atomic_text(manifest_path) as stream:
        json.dump(manifest, stream, ensure_ascii=False, indent=2)
        stream.write("\n")


def _earlier_runs(manifest_path: Path) -> list[dict]:
    try:
        return list(json.loads(manifest_path.read_text(encoding="utf-8")).get("runs", []))
    except (OSError, ValueError, AttributeError):
        return []


def _file_entry(path: Path) -> dict:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest}
