"""What a user can set about fetching."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path


@dataclass(frozen=True)
class FetchOptions:
    rate: float = 1.0  # requests per second per host
    concurrency: int = 4
    cache_path: Path | None = None  # None: the user's cache folder
    offline: bool = False
    refresh: bool = False
    max_age: timedelta = timedelta(hours=24)
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0  # seconds; doubles with each retry
    user_agent: str | None = None
    max_bytes: int = 20 * 1024 * 1024
    obey_robots: bool = True
