"""Polite, resumable HTTP: one `Fetcher` over a caching requests Session.

- Politeness: an honest User-Agent, robots.txt obeyed (protego), a per-host rate limit and a
  bound on requests in flight, both shared by every worker and enforced in requests' transport
  adapter, retries with exponential backoff and jitter (urllib3's `Retry` policy) on
  connection errors, 429 and 5xx, `Retry-After` honoured.
- Resumability: every good response goes to an on-disk SQLite cache (requests-cache). A page
  fetched within `max_age` is reused without contacting the site, so a killed crawl that is
  started again fetches only what it is missing; `offline` re-parses from the cache alone.
- Safety: TLS verification is always on; redirects are followed on the same host only; a
  redirect to a login page is a "login required" error; responses have a size cap.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import multiprocessing.context
import os
import re
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import requests_cache
from platformdirs import user_cache_dir
from protego import Protego
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from schedscrape.errors import ScheduleError

PROJECT_URL = "https://github.com/schedscrape/schedscrape"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 300.0  # seconds; a server asking for longer is treated as a failure
_LOGIN_MARKERS = ("login", "signin", "sign_in", "sign-in", "/accounts/", "/auth/")


def default_cache_path() -> Path:
    return Path(user_cache_dir("schedscrape")) / "http-cache.sqlite"


def default_user_agent() -> str:
    from schedscrape import __version__

    return f"schedscrape/{__version__} (+{PROJECT_URL})"


class FetchError(ScheduleError):
    """A page that could not be fetched; the message says why, in one line."""

    stage = "fetch"


class CacheError(ScheduleError):
    """The on-disk HTTP cache cannot be opened or used."""

    stage = "fetch"


class LoginRedirect(FetchError):
    pass


class RobotsDisallowed(FetchError):
    stage = "robots"


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


@dataclass
class Page:
    """A fetched page: its bytes and what the response said about them."""

    url: str
    content: bytes
    encoding: str | None
    fetched_at: datetime
    from_cache: bool


@dataclass
class FetchStats:
    requests: int = 0  # that went to the network
    cache_hits: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)


class _RequestGate(ABC):
    """What each request waits for: one of the in-flight places, then its host's turn."""

    _in_flight: threading.BoundedSemaphore

    @contextlib.contextmanager
    def request(self, host: str) -> Iterator[None]:
        """Hold an in-flight place for the request, taken when the host's next slot comes."""
        with self._in_flight:
            delay = self._reserve(host)
            if delay > 0:
                time.sleep(delay)
            yield

    @abstractmethod
    def _reserve(self, host: str) -> float:
        """Book the host's next slot; return how long until it comes."""


class RateLimiter(_RequestGate):
    """At most one request per `interval` seconds per host, and `max_in_flight` requests at
    once, across all threads."""

    def __init__(self, interval: float, max_in_flight: int = 1) -> None:
        self.interval = interval
        self._next_free: dict[str, float] = {}
        self._intervals: dict[str, float] = {}
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight)

    def slow_down(self, host: str, interval: float) -> None:
        """A host asked for more room (robots.txt Crawl-delay)."""
        with self._lock:
            self._intervals[host] = max(interval, self.interval)

    def _reserve(self, host: str) -> float:
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_free.get(host, now))
            self._next_free[host] = slot + self._intervals.get(host, self.interval)
        return slot - now


class SharedRateLimiter(_RequestGate):
    """The rate limit for worker processes: one schedule in shared memory, for all hosts, and
    one count of requests in flight.

    Never looser than the per-host limit (a crawl is one host), and it needs no shared dict.
    Create it before forking the workers that share it.
    """

    def __init__(
        self, interval: float, max_in_flight: int, context: multiprocessing.context.BaseContext
    ) -> None:
        self._next_free = context.Value("d", 0.0, lock=False)
        self._interval = context.Value("d", interval, lock=False)
        self._lock = context.Lock()
        self._in_flight = context.BoundedSemaphore(max_in_flight)

    def slow_down(self, host: str, interval: float) -> None:
        with self._lock:
            self._interval.value = max(interval, self._interval.value)

    def _reserve(self, host: str) -> float:
        with self._lock:  # time.monotonic is one system-wide clock on Linux
            now = time.monotonic()
            slot = max(now, self._next_free.value)
            self._next_free.value = slot + self._interval.value
        return slot - now


class _PoliteTransport(HTTPAdapter):
    """requests' transport, where politeness is enforced: each request waits for the host's
    rate limit and an in-flight place, and holds the place only while it is on the wire.

    The body is read here, decompressed and capped at `max_bytes`, so a gzip bomb or a lying
    Content-Length never fills memory; the place is given back before the cache stores it.
    """

    def __init__(self, limiter: _RequestGate, max_bytes: int, pool: int):
        super().__init__(pool_maxsize=pool)
        self._limiter = limiter
        self._max_bytes = max_bytes

    def send(self, request: requests.PreparedRequest, *args, **kwargs) -> requests.Response:
        with self._limiter.request(urlsplit(request.url or "").netloc):
            response = super().send(request, *args, **kwargs)
            _read_capped(response, self._max_bytes)
        return response


def _read_capped(response: requests.Response, cap: int) -> None:
    """Read the body into the response, decompressed, stopping at `cap` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > cap:
        response.close()
        raise FetchError(f"response too large (Content-Length {declared}; cap {cap} bytes)")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.raw.stream(64 * 1024, decode_content=True):
            size += len(chunk)
            if size > cap:
                response.close()
                raise FetchError(f"response too large (over {cap} bytes once decompressed)")
            chunks.append(chunk)
    except ProtocolError as exc:  # reset mid-body, or shorter than its Content-Length
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from None
    except DecodeError as exc:
        raise FetchError(f"undecodable response body ({_one_line(exc)})") from None
    response._content = b"".join(chunks)
    response._content_consumed = True


class Fetcher:
    """Fetch pages politely; thread-safe, so one Fetcher serves a whole pool of workers."""

    def __init__(
        self,
        options: FetchOptions | None = None,
        limiter: RateLimiter | SharedRateLimiter | None = None,
    ) -> None:
        self.options = options or FetchOptions()
        if self.options.rate <= 0:
            raise ValueError("rate must be positive")
        self.session = _cached_session(self.options)
        # The environment (proxies, CA bundle) is read once, not scanned on every request as
        # requests does: on a fast site that scan is a quarter of a fetch's CPU.
        self.session.trust_env = False
        self.session.verify = (  # always verified; a CA bundle named by the environment is used
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[str, dict[str, str]] = {}
        self.session.headers["User-Agent"] = self._user_agent()
        self.stats = FetchStats()
        self._limiter = limiter or RateLimiter(1.0 / self.options.rate, self.options.concurrency)
        transport = _PoliteTransport(
            self._limiter, self.options.max_bytes, pool=max(10, self.options.concurrency)
        )
        self.session.mount("http://", transport)
        self.session.mount("https://", transport)
        self._robots: dict[str, Protego | None] = {}
        self._robots_text: dict[str, str | None] = {}
        self._robots_lock = threading.Lock()
        self._retry = Retry(
            total=self.options.retries,
            redirect=False,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}),
            backoff_factor=self.options.backoff,
            backoff_jitter=self.options.backoff / 2,
            respect_retry_after_header=True,
            raise_on_status=False,
        )

    def _user_agent(self) -> str:
        custom = self.options.user_agent
        if not custom:
            return default_user_agent()
        # A custom agent still says who is asking: schedscrape never poses as a browser.
        return custom if "schedscrape" in custom.lower() else f"{custom} {default_user_agent()}"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str) -> Page:
        """The page at `url`, following same-host redirects; raises FetchError on failure, or
        CacheError when the on-disk cache fails (a full disk, a file locked for too long)."""
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._get_one(current)
            if not response.is_redirect:
                return self._page(current, response)
            target = urljoin(current, response.headers.get("Location", ""))
            if _is_login(target):
                raise LoginRedirect(f"login required: redirected to {target}")
            if urlsplit(target).netloc != urlsplit(url).netloc:
                raise FetchError(f"redirect to another host refused: {target}")
            current = target
        raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")

    def _page(self, final_url: str, response: requests.Response) -> Page:
        """The body is already capped: by the transport on the way in, for cached ones too."""
        if response.status_code != 200:
            reason = response.reason or ""
            raise FetchError(f"HTTP {response.status_code} {reason}".strip())
        content = response.content
        from_cache = bool(getattr(response, "from_cache", False))
        created = getattr(response, "created_at", None) if from_cache else None
        return Page(
            url=final_url,
            content=content,
            encoding=_charset(response),
            fetched_at=_aware(created) if created else datetime.now(UTC),
            from_cache=from_cache,
        )

    def _get_one(self, url: str, check_robots: bool = True) -> requests.Response:
        """One URL, no redirects followed: from the cache if fresh, else politely from the site."""
        try:
            return self._cached_or_fetched(url, check_robots)
        except sqlite3.Error as exc:
            raise CacheError(f"HTTP cache failed ({_one_line(exc)})") from None

    def _cached_or_fetched(self, url: str, check_robots: bool) -> requests.Response:
        cached = self._cached(url)
        is_cached = cached is not None
        fresh = is_cached and not self.options.refresh and self._age(cached) <= self.options.max_age
        if is_cached and (self.options.offline or fresh):
            self.stats.count("cache_hits")
            return cached
        if self.options.offline:
            raise FetchError("not in the cache (offline mode never touches the network)")
        if check_robots:
            self._check_robots(url)
        # --refresh: a conditional request where the site gave validators, else a full one.
        revalidate = is_cached and any(h in cached.headers for h in ("ETag", "Last-Modified"))
        return self._with_retries(url, revalidate=revalidate)

    def _cached(self, url: str) -> requests.Response | None:
        """The cached response for `url`, looked up directly: a full `session.get` with
        only_if_cached costs as much CPU as the request it saves on a fast site."""
        return self.session.cache.get_response(_url_key(url))

    @staticmethod
    def _age(response: requests.Response) -> timedelta:
        """How old a cached response is; --max-age is applied when reading, not when saving."""
        created = getattr(response, "created_at", None)
        return datetime.now(UTC) - _aware(created) if created else timedelta.max

    def _with_retries(self, url: str, revalidate: bool = False) -> requests.Response:
        retry = self._retry
        while True:
            response: requests.Response | None = None
            try:
                response = self._network_get(url, revalidate)
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
            ) as exc:
                error: Exception | None = exc
            else:
                error = None
                retry_after = "Retry-After" in response.headers
                if not retry.is_retry("GET", response.status_code, retry_after):
                    return response
            try:
                retry = retry.increment("GET", url, error=_urllib3_error(error))
            except MaxRetryError:
                if response is not None:
                    return response  # the caller reports the final status
                attempts = self.options.retries + 1
                raise FetchError(
                    f"gave up after {attempts} attempt{'s' if attempts > 1 else ''}: "
                    f"{_one_line(error)}"
                ) from None
            self.stats.count("retries")
            time.sleep(self._delay(retry, response))

    def _delay(self, retry: Retry, response: requests.Response | None) -> float:
        header = response.headers.get("Retry-After") if response is not None else None
        if header:
            try:
                wait = retry.parse_retry_after(header)
            except Exception:  # a malformed header: fall back to backoff
                wait = None
            if wait is not None:
                if wait > MAX_RETRY_AFTER:
                    raise FetchError(f"server asks to retry after {wait:.0f} s; giving up")
                return max(wait, retry.get_backoff_time(), self.options.backoff)
        return max(retry.get_backoff_time(), self.options.backoff)

    def _network_get(self, url: str, revalidate: bool = False) -> requests.Response:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:  # *_proxy and no_proxy, as requests would apply them
            self._proxies[origin] = requests.utils.get_environ_proxies(url)
        self.stats.count("requests")
        return self.session.get(
            url,
            proxies=self._proxies[origin],
            timeout=self.options.timeout,
            allow_redirects=False,
            refresh=revalidate,
            force_refresh=not revalidate,  # past the cache check above, always ask the site
        )

    def robots_txt(self, url: str) -> str | None:
        """The robots.txt of `url`'s host (None: the site has none), fetched once per host."""
        parts = urlsplit(url)
        with self._robots_lock:
            if parts.netloc not in self._robots_text:
                text = self._load_robots(f"{parts.scheme}://{parts.netloc}/robots.txt")
                self._install_robots(parts.netloc, text)
            return self._robots_text[parts.netloc]

    def preload_robots(self, host: str, text: str | None) -> None:
        """Use robots.txt rules already fetched elsewhere (by the parent of a worker process)."""
        with self._robots_lock:
            if host not in self._robots_text:
                self._install_robots(host, text)

    def _install_robots(self, host: str, text: str | None) -> None:
        self._robots_text[host] = text
        rules = Protego.parse(text) if text is not None else None
        self._robots[host] = rules
        delay = rules.crawl_delay(self.session.headers["User-Agent"]) if rules else None
        if delay:
            self._limiter.slow_down(host, float(delay))

    def _check_robots(self, url: str) -> None:
        if not self.options.obey_robots:
            return
        self.robots_txt(url)
        rules = self._robots[urlsplit(url).netloc]
        if rules is not None and not rules.can_fetch(url, self.session.headers["User-Agent"]):
            parts = urlsplit(url)
            raise RobotsDisallowed(f"disallowed by {parts.scheme}://{parts.netloc}/robots.txt")

    def _load_robots(self, robots_url: str) -> str | None:
        """The file's text, or None (allow all) when the site has no robots.txt."""
        try:
            response = self._get_one(robots_url, check_robots=False)
        except FetchError as exc:
            raise RobotsDisallowed(f"robots.txt unreachable ({exc}); not crawling") from None
        if response.status_code >= 500:
            raise RobotsDisallowed(f"robots.txt answered HTTP {response.status_code}; not crawling")
        return response.text if response.status_code == 200 else None


def prepare_cache(options: FetchOptions) -> None:
    """Create the cache file and its tables in WAL mode, from one process. SQLite refuses to
    switch a file's journal mode while other processes open it ("database is locked"), so
    worker processes must find the cache ready."""
    _cached_session(options).close()


def _cached_session(options: FetchOptions) -> requests_cache.CachedSession:
    cache_path = options.cache_path or default_cache_path()
    cache_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return requests_cache.CachedSession(
            str(cache_path),
            backend="sqlite",
            wal=True,
            expire_after=-1,  # entries are kept; freshness is decided per run (see _age)
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
    return _url_key(request.url or "")


def _url_key(url: str) -> str:
    return hashlib.sha256(f"GET {url}".encode()).hexdigest()[:32]


def _is_login(url: str) -> bool:
    parts = urlsplit(url)
    where = f"{parts.path}?{parts.query}".lower()
    return any(marker in where for marker in _LOGIN_MARKERS)


def _charset(response: requests.Response) -> str | None:
    content_type = response.headers.get("Content-Type", "")
    if "charset=" not in content_type.lower():
        return None  # requests would guess ISO-8859-1; the page's own <meta> knows better
    return requests.utils.get_encoding_from_headers(response.headers)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _urllib3_error(error: Exception | None):
    """urllib3's Retry counts errors by type; requests wraps them, so unwrap when possible."""
    if error is None:
        return None
    inner = error.args[0] if error.args and isinstance(error.args[0], Exception) else None
    return inner if inner is not None else ProtocolError(str(error))


def _one_line(error: Exception | None) -> str:
    """An error as one short line: the underlying reason, not requests' and urllib3's wrapping
    (`ConnectionError(MaxRetryError(pool, url, reason))`), which the URL beside it repeats."""
    if error is None:
        return "unknown error"
    for _depth in range(5):  # a few levels of wrapping, never a cycle
        if not (error.args and isinstance(error.args[0], Exception)):
            break
        inner = error.args[0]
        error = getattr(inner, "reason", None) or inner
    text = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    text = _CONNECTION_PREFIX.sub("", text)
    return " ".join(text.split())[:200] or type(error).__name__


# urllib3's errors open with the connection ("HTTPConnectionPool(host='x', port=80): ...").
_CONNECTION_PREFIX = re.compile(r"^\w+\(host=[^)]*\):\s*")
