"""The on-disk HTTP cache (requests-cache over SQLite), keyed by URL, storing no cookie.

Pages fetched with the user's cookies (`--cookies`) are kept apart from the others: a run
without cookies never gets a members-only page from the cache as if it were public, and a run
with cookies never gets the login wall an anonymous run cached.
"""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests
import requests_cache
from platformdirs import user_cache_dir
from requests.cookies import RequestsCookieJar
from requests.structures import CaseInsensitiveDict
from requests_cache import CachedRequest, CachedResponse, SQLiteCache

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
            backend=_CookielessCache(str(cache_path), wal=True),
            expire_after=-1,  # entries are kept; freshness is decided per run (see cached_age)
            allowable_codes=(200, 301, 302, 303, 307, 308),
            stale_if_error=False,
            key_fn=functools.partial(_cache_key, options=options),
        )
    except sqlite3.Error as exc:
        raise CacheError(f"cannot open the HTTP cache {cache_path}: {exc}") from None


def _cache_key(request: requests.PreparedRequest, options: FetchOptions, **_: object) -> str:
    """Cache entries are keyed by URL: schedscrape only ever GETs pages with the same
    headers, and requests-cache's general key (URL normalisation, header matching) costs
    more CPU per page than the rest of the cache together."""
    return url_key(request.url or "", options)


def url_key(url: str, options: FetchOptions) -> str:
    """The cache key of `url`; fetched with the user's cookies, a key of its own."""
    scope = " with cookies" if options.cookies is not None else ""
    return hashlib.sha256(f"GET {url}{scope}".encode()).hexdigest()[:32]


class _CookielessCache(SQLiteCache):
    """requests-cache's SQLite cache, storing no cookie. It would store the request's Cookie
    header and cookie jar, the response's Set-Cookie and cookies, and a redirect's next
    request (with its own cookies)."""

    def save_response(
        self,
        response: requests.Response,
        cache_key: str | None = None,
        expires: datetime | None = None,
    ) -> None:
        cached = CachedResponse.from_response(response, expires=expires)
        cached.request = _cookieless(cached.request)
        cached._next = _cookieless(cached._next) if cached._next is not None else None
        cached.headers = _without(cached.headers, "set-cookie")
        cached.cookies = RequestsCookieJar()
        cached.history = []  # redirects are followed one request at a time: never any
        super().save_response(cached, cache_key, expires)


def _cookieless(request: CachedRequest) -> CachedRequest:
    return CachedRequest(
        body=request.body,
        headers=_without(request.headers, "cookie"),
        method=request.method,
        url=request.url,
    )


def _without(headers: CaseInsensitiveDict, name: str) -> CaseInsensitiveDict:
    return CaseInsensitiveDict(
        {key: value for key, value in headers.items() if key.lower() != name}
    )


def cached_age(response: requests.Response) -> timedelta:
    """How old a cached response is; --max-age is applied when reading, not when saving."""
    created = getattr(response, "created_at", None)
    return datetime.now(UTC) - aware(created) if created else timedelta.max


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
