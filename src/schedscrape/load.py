"""`schedscrape.load(DIR)`: an output folder as pandas DataFrames with real dtypes."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schedscrape.events import claims_from_talks, merge_events
from schedscrape.export.dataset import TABLES, DatasetError
from schedscrape.export.lock import folder_lock
from schedscrape.export.readback import CLAIMS, first_line, read_claims, read_records

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
    events: pd.DataFrame


def load(directory: str | Path = "output") -> Tables:
    """Read an output folder: each table from Parquet when present, else JSON, else CSV.
    Without an events table, the events are merged from `event_claims.json`, or in a folder
    written before either existed, from its talks, as the next run into it does.

    Lists come back as lists, times as timezone-aware (UTC) datetimes, counts as nullable
    integers, and labels such as `event_type` as categoricals. A folder with no table, or
    with one that does not read back as valid records, raises `DatasetError`.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no output folder at {directory}")
    try:
        with folder_lock(directory, shared=True):  # never half of another run's commit
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
    if fmt is None and name == "events":
        return _frame(model, _merged_events(directory))
    if fmt is None:
        raise DatasetError(f"no {name} table ({', '.join(f'{name}.{f}' for f in _LOAD_ORDER)})")
    if fmt != "parquet":
        return _frame(model, read_records(directory, name, fmt))
    try:
        frame = pd.read_parquet(directory / f"{name}.parquet")
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DatasetError(f"{name}.parquet cannot be read ({first_line(exc)})") from None
    if list(frame.columns) != list(model.model_fields):
        raise DatasetError(f"{name}.parquet does not have the columns of a {name} table")
    return _typed(frame, model)


def _merged_events(directory: Path) -> list:
    if (directory / CLAIMS).exists():
        return merge_events(read_claims(directory))
    fmt = next(f for f in _LOAD_ORDER if (directory / f"talks.{f}").exists())
    return merge_events(claims_from_talks(read_records(directory, "talks", fmt)))


def _frame(model, records: list) -> pd.DataFrame:
    """Validated records (JSON, CSV) as a typed frame."""
    import pandas as pd

    frame = pd.DataFrame(
        [record.model_dump() for record in records], columns=list(model.model_fields)
    )
    return _typed(frame, model)


def _typed(frame: pd.DataFrame, model) -> pd.DataFrame:
    import pandas as pd

    for column, field in model.model_fields.items():
        if column in _TIMES:
            frame[column] = pd.to_datetime(frame[column], utc=True, format="ISO8601")
        elif column in _INTEGERS:
            frame[column] = frame[column].astype("Int64")
        elif column in _CATEGORIES:
            frame[column] = frame[column].astype("category")
        elif typing.get_origin(field.annotation) is list:
            frame[column] = frame[column].map(_as_list)
    return frame


def _as_list(value) -> list:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return []
    return list(value)
