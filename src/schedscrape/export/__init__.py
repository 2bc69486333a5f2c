"""Exporters: the dataset's tables as CSV, JSON and Parquet, plus errors.jsonl and manifest.json."""

from schedscrape.export.dataset import TABLES, Dataset, DatasetError
from schedscrape.export.run import RunReport, write_outputs
from schedscrape.export.writers import WRITERS, Writer

__all__ = ["TABLES", "WRITERS", "Dataset", "DatasetError", "RunReport", "Writer", "write_outputs"]
