"""Exporters: the dataset as CSV, JSON, Parquet, iCalendar and an HTML schedule, plus
errors.jsonl and manifest.json. One `Writer` class per format, all behind one interface."""

from schedscrape.export.dataset import TABLES, Dataset, DatasetError
from schedscrape.export.formats import WRITERS
from schedscrape.export.run import RunReport, write_outputs
from schedscrape.export.writers import Writer

__all__ = ["TABLES", "WRITERS", "Dataset", "DatasetError", "RunReport", "Writer", "write_outputs"]
