"""Reading an output folder back, for the next run's merge and for `schedscrape.load()`.

JSON is the exact copy (every run writes it, whatever `--format` says): text, lists, nulls and
each time's UTC offset come back as written. Folders written before JSON was always written are
read from Parquet (times come back in UTC) or CSV, typed by the record models. Anything that does
not read back as valid records is refused with one line, so a merge never drops data silently.

What each source said of each event is kept in `event_claims.json` (always JSON: it is the exact
store the events table is merged from). A folder written before there was an events table has
none: its talks are what its session pages claimed.

Before a merge, every file `manifest.json` lists is checked against its sha256: a file changed
since schedscrape wrote it (by hand, or by another program) stops the run before anything is
written, whichever format it is in.
"""

from __future__ import annotations

import csv
import hashlib
import json
import typing
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, TypeAdapter, ValidationError

from schedscrape.events import Claim, claims_from_talks
from schedscrape.export.dataset import TABLES, Dataset, DatasetError
from schedscrape.export.formats import WRITERS
from schedscrape.export.writers import FORMULA_STARTS, LIST_SEPARATOR
from schedscrape.models import Problem
from schedscrape.wording import plural

MANIFEST, ERRORS, CLAIMS = "manifest.json", "errors.jsonl", "event_claims.json"
# Where each table is read from, best first: JSON is exact, Parquet loses each time's offset,
# CSV loses the difference between an empty text and a missing one.
READ_ORDER = ("json", "parquet", "csv")
_ADAPTERS = {model: TypeAdapter(list[model]) for model in TABLES.values()}
_PROBLEM = TypeAdapter(Problem)
_CLAIMS = TypeAdapter(list[Claim])


def read_folder(directory: Path) -> tuple[Dataset, list[dict]]:
    """The dataset an earlier run left in `directory` (checked, typed and consistent), and the
    runs its manifest lists, for a run to merge into."""
    try:
        return read_dataset(directory)
    except DatasetError as exc:
        raise DatasetError(
            f"cannot merge into {directory}: {exc}; nothing was written "
            "(--fresh starts the folder over)"
        ) from None


def read_dataset(directory: Path) -> tuple[Dataset, list[dict]]:
    """`read_folder` without the words about merging: its error names only what is wrong."""
    manifest = _read_manifest(directory)
    if manifest is not None:
        _check_hashes(directory, manifest)
    fmt = _table_format(directory, manifest)
    sessions = read_records(directory, "sessions", fmt) if fmt else []
    talks = read_records(directory, "talks", fmt) if fmt else []
    dataset = Dataset(
        sessions,
        talks,
        _read_problems(directory),
        _read_claims(directory, manifest, talks),
        _read_institutions(directory, fmt) if fmt else {},
    )
    _check_keys(dataset, fmt)
    return dataset, manifest.get("runs", []) if manifest else []


def _read_manifest(directory: Path) -> dict | None:
    """`manifest.json` as a dict (None if there is none), its shape checked."""
    path = directory / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_bytes())
    except ValueError as exc:
        raise DatasetError(f"{MANIFEST} is not valid JSON ({exc})") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not (
        isinstance(files, list)
        and all(
            isinstance(entry, dict)
            and isinstance(entry.get("name"), str)
            and Path(entry["name"]).name == entry["name"]  # a file in the folder itself
            and not entry["name"].startswith(".")
            and isinstance(entry.get("sha256"), str)
            for entry in files
        )
        and isinstance(manifest.get("runs", []), list)
    ):
        raise DatasetError(f"{MANIFEST} is not a schedscrape manifest")
    return manifest


def _check_hashes(directory: Path, manifest: dict) -> None:
    for entry in manifest["files"]:
        path = directory / entry["name"]
        if path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            raise DatasetError(
                f"{entry['name']} was changed after schedscrape wrote it "
                f"(its sha256 is not the one {MANIFEST} lists)"
            )


def _table_format(directory: Path, manifest: dict | None) -> str | None:
    """The format the tables are read from; None for a folder with no earlier output."""
    listed = {entry["name"] for entry in manifest["files"]} if manifest else set()
    for fmt in READ_ORDER:
        names = [f"{name}.{fmt}" for name in ("sessions", "talks")]
        if any((directory / name).exists() or name in listed for name in names):
            missing = [name for name in names if not (directory / name).exists()]
            if missing:
                raise DatasetError(f"{missing[0]} is missing")
            return fmt
    others = [
        name
        for writer in WRITERS.values()
        for name in writer.file_names()
        if (directory / name).exists()
    ]
    if others:
        raise DatasetError(
            f"its earlier sessions cannot be read back from {', '.join(others)} "
            "(only from JSON, Parquet or CSV tables)"
        )
    return None


def read_records(directory: Path, name: str, fmt: str) -> list:
    """Table `name` in format `fmt`, as validated records of the table's model."""
    model, path = TABLES[name], directory / f"{name}.{fmt}"
    try:
        if fmt == "json":
            return _ADAPTERS[model].validate_json(path.read_bytes())
        if fmt == "parquet":
            import pyarrow.parquet as pq  # on use: a slow import the crawl start-up can skip

            rows = pq.read_table(path).to_pylist()
        else:
            rows = _csv_rows(path, model)
        return _ADAPTERS[model].validate_python(rows)
    except ValidationError as exc:
        raise DatasetError(f"{path.name}: {_first_error(exc)}") from None
    except (OSError, ValueError, csv.Error) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DatasetError(f"{path.name} cannot be read ({first_line(exc)})") from None


def _read_problems(directory: Path) -> list[Problem]:
    """`errors.jsonl`: the problems of every source in the dataset."""
    path = directory / ERRORS
    if not path.exists():
        return []
    problems = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        try:
            problems.append(_PROBLEM.validate_json(line))
        except ValidationError as exc:
            raise DatasetError(f"{ERRORS} line {number}: {_first_error(exc)}") from None
    return problems


def _read_institutions(directory: Path, fmt: str) -> dict[tuple[str, int], list[str | None]]:
    """The institutions `talk_authors` names (the one thing in it its talks do not hold), by
    talk; none from a folder without the table."""
    if not (directory / f"talk_authors.{fmt}").exists():
        return {}
    found: dict[tuple[str, int], list[str | None]] = {}
    for row in read_records(directory, "talk_authors", fmt):
        names = found.setdefault((row.session_id, row.position), [])
        names += [None] * (row.author_position - len(names))
        names[row.author_position - 1] = row.institution
    return {talk: names for talk, names in found.items() if any(names)}


def _read_claims(directory: Path, manifest: dict | None, talks: list) -> list[Claim]:
    """`event_claims.json`; for a folder written before it existed, the talks' claims."""
    path = directory / CLAIMS
    if not path.exists():
        listed = manifest is not None and CLAIMS in {entry["name"] for entry in manifest["files"]}
        if listed or any(directory.glob("events.*")):
            raise DatasetError(f"{CLAIMS} is missing")
        return claims_from_talks(talks)
    return read_claims(directory)


def read_claims(directory: Path) -> list[Claim]:
    """`event_claims.json`, validated."""
    try:
        return _CLAIMS.validate_json((directory / CLAIMS).read_bytes())
    except ValidationError as exc:
        raise DatasetError(f"{CLAIMS}: {_first_error(exc)}") from None
    except OSError as exc:
        raise DatasetError(f"{CLAIMS} cannot be read ({first_line(exc)})") from None


def _check_keys(dataset: Dataset, fmt: str | None) -> None:
    """Each session once, each talk once and in a session of the table; each claim of a
    session page from that session's source."""
    sessions = Counter(session.session_id for session in dataset.sessions)
    talks = Counter((talk.session_id, talk.position) for talk in dataset.talks)
    twice = [key for key, count in sessions.items() if count > 1]
    if twice:
        raise DatasetError(f"sessions.{fmt} lists session {twice[0]} more than once")
    twice = [key for key, count in talks.items() if count > 1]
    if twice:
        raise DatasetError(f"talks.{fmt} lists talk {twice[0][1]} of {twice[0][0]} more than once")
    orphans = [key for key, _ in talks if key not in sessions]
    if orphans:
        raise DatasetError(f"talks.{fmt} has talks of session {orphans[0]}, which is not there")
    shown = {(session.session_id, session.source) for session in dataset.sessions}
    orphans = [
        claim
        for claim in dataset.claims
        if claim.session_id and (claim.session_id, claim.source) not in shown
    ]
    if orphans:
        raise DatasetError(
            f"{CLAIMS} has claims of session {orphans[0].session_id} from "
            f"{orphans[0].source}, which is not in the sessions table"
        )


def _csv_rows(path: Path, model: type[BaseModel]) -> list[dict]:
    """CSV rows typed back: lists split on "; ", formula quotes removed, empty cells missing."""
    limit = csv.field_size_limit(_CELL_LIMIT)  # an abstract can outgrow the default 128 KiB
    try:
        return _typed_rows(path, model)
    finally:
        csv.field_size_limit(limit)


_CELL_LIMIT = 1 << 30


def _typed_rows(path: Path, model: type[BaseModel]) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, [])
        if header != list(model.model_fields):
            raise DatasetError(f"{path.name} does not have the columns of a {model.__name__} table")
        cells = [
            (name, typing.get_origin(field.annotation) is list, field.is_required())
            for name, field in model.model_fields.items()
        ]
        rows = []
        for row in reader:
            if len(row) != len(cells):
                raise DatasetError(
                    f"{path.name} line {reader.line_num} has {plural(len(row), 'cell')}"
                )
            rows.append(
                {
                    name: _csv_value(cell, is_list, required)
                    for (name, is_list, required), cell in zip(cells, row, strict=True)
                }
            )
        return rows


def _csv_value(cell: str, is_list: bool, required: bool) -> object:
    if cell[:1] == "'" and cell[1:2] in FORMULA_STARTS:
        cell = cell[1:]  # csv_cell's neutralising quote
    if is_list:
        return cell.split(LIST_SEPARATOR) if cell else []
    return cell if cell or required else None


def first_line(exc: Exception) -> str:
    """An exception's message, one line of it."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _first_error(exc: ValidationError) -> str:
    error = exc.errors(include_url=False)[0]
    where = [str(part + 1) if isinstance(part, int) else part for part in error["loc"]]
    if where and isinstance(error["loc"][0], int):
        where[0] = f"record {where[0]}"
    return f"{', '.join(where)}: {error['msg']}" if where else error["msg"]
