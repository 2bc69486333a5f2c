"""The on-disk HTTP cache (requests-cache over SQLite), keyed by URL alone."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import requests_cache
from platformdirs import user_cache_dir

from schedscrape.fetch.errors import CacheError
from schedscrape.fetch.options import FetchOptions


def default_cache_path() -> Path:
    return Path(user_cache_dir("schedscrape")) / "http-cache.sqlite"


def prepare_cache(options: FetchOptions) -> None:
    """Create the cache file and its tables in WAL mode, from one process. SQLite refuses to
    switch a file's journal mode while other processes open it ("database is locked"), so
    worker processes must find the cache ready."""
    cached_session(options).close()


def cached_session(options: FetchOptions) -> requests_cache.CachedSession:
    cache_path = options.cache_path or default_cache_path()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return requests_cache.CachedSession(
            str(cache_path),
            backend="sqlite",
            wal=True,
            expire_after=-1,  # entries are kept; freshness is decided per run (see cached_age)
            allowable_codes=(200, 301, 302, 303, 307, 308),
            stale_if_error=False,
            key_fn=_cache_key,
        )
    except sqlite3.Error as exc:
        raise CacheError(f"cannot open the HTTP cache {cache_path}: {exc}") from None


def _cache_key(request: requests.PreparedRequest, **_: object) -> str:
    """Cache entries are keyed by URL alone: schedscrape only ever GETs pages with the same
    headers, and requests-cache's general key (URL normalisation, header matching) costs
    more CPU per page than the rest of the cache together."""
    return url_key(request.url or "")


def url_key(url: str) -> str:
    return hashlib.sha256(f"GET {url}".encode()).hexdigest()[:32]


def cached_age(response: requests.Response) -> timedelta:
    """How old a cached response is; --max-age is applied when reading, not when saving."""
    created = getattr(response, "created_at", None)
    return datetime.now(UTC) - aware(created) if created else timedelta.max


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
