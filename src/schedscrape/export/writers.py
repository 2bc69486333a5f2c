"""One writer per format behind one interface (after Scrapy's item exporters).

Each writer turns the dataset's tables into files in the output folder, atomically. Column
names and types come from the pydantic models, never from a list kept here.
"""

from __future__ import annotations

import csv
import json
from abc import ABC, abstractmethod
from datetime import datetime
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.parquet as pq
from pydantic import BaseModel

from schedscrape.export.atomic import atomic_path, atomic_text
from schedscrape.export.columns import arrow_schema, columns
from schedscrape.export.dataset import TABLES, Dataset

LIST_SEPARATOR = "; "
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Writer(ABC):
    """Writes a dataset in one format; `format` is the name used by `--format`."""

    format: ClassVar[str]

    def write(self, dataset: Dataset, directory: Path) -> list[Path]:
        """Write every table; return the files written."""
        paths = []
        for name, model in TABLES.items():
            path = directory / f"{name}.{self.format}"
            self.write_table(model, dataset.table(name), path)
            paths.append(path)
        return paths

    @abstractmethod
    def write_table(self, model: type[BaseModel], records: list[BaseModel], path: Path) -> None:
        """Write one table's records (all of type `model`) to `path`, atomically."""


class JsonWriter(Writer):
    """A UTF-8 array of objects; times in ISO 8601 with the page's UTC offset; null for missing."""

    format = "json"

    def write_table(self, model, records, path):
        rows = [record.model_dump(mode="json") for record in records]
        with atomic_text(path) as stream:
            json.dump(rows, stream, ensure_ascii=False, indent=1)
            stream.write("\n")


class CsvWriter(Writer):
    """UTF-8 with a header; lists joined by "; "; formula-like cells neutralised with a quote."""

    format = "csv"

    def write_table(self, model, records, path):
        with atomic_text(path, newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(columns(model))
            for record in records:
                writer.writerow([csv_cell(value) for value in record.model_dump().values()])


class ParquetWriter(Writer):
    """Explicit Arrow schema: list<string> lists and UTC timestamps, read by pandas as-is."""

    format = "parquet"

    def write_table(self, model, records, path):
        schema = arrow_schema(model)
        table = pa.Table.from_pylist([record.model_dump() for record in records], schema=schema)
        with atomic_path(path) as temporary:
            pq.write_table(table, temporary)


def csv_cell(value: object) -> str:
    """One CSV cell: text as is, unless a spreadsheet would execute it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        value = LIST_SEPARATOR.join(str(item) for item in value)
    if not isinstance(value, str):
        return str(value)  # numbers are never neutralised
    return "'" + value if value.startswith(FORMULA_STARTS) else value


WRITERS: dict[str, type[Writer]] = {
    writer.format: writer for writer in (CsvWriter, JsonWriter, ParquetWriter)
}
