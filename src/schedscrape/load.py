"""`schedscrape.load(DIR)`: an output folder as pandas DataFrames with real dtypes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schedscrape.export.dataset import TABLES, DatasetError
from schedscrape.export.readback import first_line, read_records

if TYPE_CHECKING:  # pandas is imported on use: it costs a third of a second at start-up
    import pandas as pd

# Low-cardinality labels: categoricals make group-bys fast and memory small.
_CATEGORIES = ("conference", "session_type", "event_type", "timezone", "time_source")
_TIMES = ("start", "end", "fetched_at")
_INTEGERS = ("year", "position", "author_position", "talk_count")


@dataclass(frozen=True)
class Tables:
    sessions: pd.DataFrame
    talks: pd.DataFrame
    talk_authors: pd.DataFrame


def load(directory: str | Path = "output") -> Tables:
    """Read an output folder: each table from Parquet when present, else JSON, else CSV.

    Lists come back as lists, times as timezone-aware (UTC) datetimes, counts as nullable
    integers, and labels such as `event_type` as categoricals. A folder with no table, or
    with one that does not read back as valid records, raises `DatasetError`.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no output folder at {directory}")
    try:
        frames = {name: _read(directory, name, model) for name, model in TABLES.items()}
    except DatasetError as exc:
        raise DatasetError(f"cannot load {directory}: {exc}") from None
    return Tables(**frames)


# Parquet first: pandas reads it directly, an order of magnitude faster than records. JSON
# and CSV are read as records (validated, typed by the models), then made a frame.
_LOAD_ORDER = ("parquet", "json", "csv")


def _read(directory: Path, name: str, model) -> pd.DataFrame:
    import pandas as pd

    fmt = next((f for f in _LOAD_ORDER if (directory / f"{name}.{f}").exists()), None)
    if fmt is None:
        raise DatasetError(f"no {name} table ({', '.join(f'{name}.{f}' for f in _LOAD_ORDER)})")
    if fmt == "parquet":
        try:
            frame = pd.read_parquet(directory / f"{name}.parquet")
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise DatasetError(f"{name}.parquet cannot be read ({first_line(exc)})") from None
        if list(frame.columns) != list(model.model_fields):
            raise DatasetError(f"{name}.parquet does not have the columns of a {name} table")
    else:
        records = read_records(directory, name, fmt)
        frame = pd.DataFrame(
            [record.model_dump() for record in records], columns=list(model.model_fields)
        )
    for column in frame.columns:
        if column in _TIMES:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        elif column in _INTEGERS:
            frame[column] = frame[column].astype("Int64")
        elif column in _CATEGORIES:
            frame[column] = frame[column].astype("category")
        elif column in ("authors", "moderators"):
            frame[column] = frame[column].map(_as_list)
    return frame


def _as_list(value) -> list:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return []
    return list(value)
