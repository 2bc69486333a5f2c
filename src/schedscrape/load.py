"""`schedscrape.load(DIR)`: an output folder as pandas DataFrames with real dtypes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from schedscrape.export.dataset import TABLES

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
    """Read an output folder: Parquet when present, else JSON.

    Lists come back as lists, times as timezone-aware (UTC) datetimes, counts as nullable
    integers, and labels such as `event_type` as categoricals.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no output folder at {directory}")
    frames = {name: _read(directory, name, model) for name, model in TABLES.items()}
    return Tables(**frames)


def _read(directory: Path, name: str, model) -> pd.DataFrame:
    import pandas as pd

    parquet, json_path = directory / f"{name}.parquet", directory / f"{name}.json"
    if parquet.exists():
        frame = pd.read_parquet(parquet)
    elif json_path.exists():
        frame = pd.read_json(json_path, orient="records", dtype=False)
    else:
        frame = pd.DataFrame(columns=list(model.model_fields))
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
