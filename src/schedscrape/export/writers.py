"""One writer per format behind one interface (after Scrapy's item exporters).

Each writer turns the dataset's tables into files in the output folder, atomically. Column
names and types come from the pydantic models, never from a list kept here.
"""

from __future__ import annotations

import csv
from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pydantic_core
from pydantic import BaseModel

from schedscrape.export.atomic import atomic_path, atomic_text
from schedscrape.export.columns import arrow_schema, columns
from schedscrape.export.dataset import TABLES, Dataset

LIST_SEPARATOR = "; "
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = frozenset("=+-@\t\r")


class Writer(ABC):
    """Writes a dataset in one format; `format` is the name used by `--format`."""

    format: ClassVar[str]

    @classmethod
    @abstractmethod
    def file_names(cls) -> list[str]:
        """The files this format writes, so a run can tell which formats a folder holds."""

    @abstractmethod
    def write(self, dataset: Dataset, directory: Path) -> list[Path]:
        """Write the dataset's files into `directory`, atomically; return the files written."""


class TableWriter(Writer):
    """A format with one file per table: sessions, talks, talk_authors."""

    @classmethod
    def file_names(cls) -> list[str]:
        return [f"{name}.{cls.format}" for name in TABLES]

    def write(self, dataset: Dataset, directory: Path) -> list[Path]:
        """Write every table; return the files written."""
        paths = []
        for name, model in TABLES.items():
            path = directory / f"{name}.{self.format}"
            self.write_table(dataset, name, model, path)
            paths.append(path)
        return paths

    @abstractmethod
    def write_table(self, dataset: Dataset, name: str, model: type[BaseModel], path: Path) -> None:
        """Write table `name` (records of type `model`) to `path`, atomically."""


class JsonWriter(TableWriter):
    """A UTF-8 array of objects; times in ISO 8601 with the page's UTC offset; null for missing."""

    format = "json"

    def write_table(self, dataset, name, model, path):
        # Records through their model's serializer, derived rows (no models behind them) as
        # plain dicts.
        records = dataset.records(name)
        write_json_array(records if records is not None else dataset.rows(name), path)


def write_json_array(items: Iterable[object], path: Path) -> None:
    """A JSON array, one item a line, each serialised in pydantic's Rust core, atomically."""
    lines = [pydantic_core.to_json(item) for item in items]
    with atomic_path(path) as temporary:
        temporary.write_bytes(b"[\n" + b",\n".join(lines) + (b"\n]\n" if lines else b"]\n"))


class CsvWriter(TableWriter):
    """UTF-8 with a header; lists joined by "; "; formula-like cells neutralised with a quote."""

    format = "csv"

    def write_table(self, dataset, name, model, path):
        rows = dataset.rows(name)
        with atomic_text(path, newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(columns(model))
            writer.writerows([csv_cell(value) for value in row.values()] for row in rows)


class ParquetWriter(TableWriter):
    """Explicit Arrow schema: list<string> lists and UTC timestamps, read by pandas as-is."""

    format = "parquet"

    def write_table(self, dataset, name, model, path):
        import pyarrow as pa  # on use: a slow import the crawl start-up can skip
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist(dataset.rows(name), schema=arrow_schema(model))
        with atomic_path(path) as temporary:
            pq.write_table(table, temporary)


def csv_cell(value: object) -> str:
    """One CSV cell: text as is, unless a spreadsheet would execute it."""
    if type(value) is str:  # the common case first: this runs for every cell
        return "'" + value if value[:1] in FORMULA_STARTS else value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return csv_cell(LIST_SEPARATOR.join(str(item) for item in value))
    return str(value)  # numbers are never neutralised


TABLE_WRITERS: tuple[type[TableWriter], ...] = (CsvWriter, JsonWriter, ParquetWriter)
