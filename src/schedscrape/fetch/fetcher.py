"""The Fetcher: one page at a time, from the cache or politely from the site."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import requests

from schedscrape.fetch.cache import aware, cached_age, cached_session, url_key
from schedscrape.fetch.cookies import SiteCookies
from schedscrape.fetch.errors import (
    CacheError,
    FetchError,
    HTTPStatusError,
    LoginRedirect,
    NotCached,
    one_line,
)
from schedscrape.fetch.options import FetchOptions
from schedscrape.fetch.politeness import RateLimiter, SharedRateLimiter, user_agent
from schedscrape.fetch.redirects import follow
from schedscrape.fetch.retries import Retrier
from schedscrape.fetch.robots import Robots
from schedscrape.fetch.transport import PoliteTransport
from schedscrape.links import same_site

_LOGIN_MARKERS = ("login", "signin", "sign_in", "sign-in", "/accounts/", "/auth/")


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
        self.session = cached_session(self.options)
        # The environment (proxies, CA bundle) is read once, not scanned on every request as
        # requests does: on a fast site that scan is a quarter of a fetch's CPU.
        self.session.trust_env = False
        self.session.verify = (  # always verified; a CA bundle named by the environment is used
            os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        )
        self._proxies: dict[str, dict[str, str]] = {}
        self.session.headers["User-Agent"] = user_agent(self.options.user_agent)
        self._cookies = SiteCookies(self.options.cookies)
        self._cookies.take_over(self.session)
        self.stats = FetchStats()
        self._limiter = limiter or RateLimiter(1.0 / self.options.rate, self.options.concurrency)
        transport = PoliteTransport(
            self._limiter,
            self.options.max_bytes,
            pool=max(10, self.options.concurrency),
            deadline=self.options.deadline,
            max_data_bytes=self.options.max_data_bytes,
        )
        self.session.mount("http://", transport)
        self.session.mount("https://", transport)
        self._robots = Robots(
            self.session.headers["User-Agent"],
            lambda url: self._get_one(url, check_robots=False),
            self._limiter,
        )
        self._retrier = Retrier(self.options.retries, self.options.backoff)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get(self, url: str) -> Page:
        """The page at `url`, following redirects within its site (`same_site`: `icml.cc` to
        `www.icml.cc` too, each host's robots.txt and rate obeyed); raises FetchError on
        failure, or CacheError when the on-disk cache fails (a full disk, a file locked for too
        long)."""

        def allow(target: str) -> None:
            if _is_login(target):
                raise LoginRedirect(f"login required: redirected to {target}")
            if not same_site(target, url):
                raise FetchError(f"redirect to another site refused: {target}")

        final_url, response = follow(url, self._get_one, allow)
        return self._page(final_url, response)

    def robots_txt(self, url: str) -> str | None:
        """The robots.txt of `url`'s host (None: the site has none), fetched once per host."""
        return self._robots.text(url)

    def check_robots(self, url: str) -> None:
        """Raise RobotsDisallowed unless `get(url)` would be let through by robots.txt."""
        if self.options.obey_robots and not self.options.offline:
            self._robots.check(url)

    def preload_robots(self, host: str, text: str | None) -> None:
        """Use robots.txt rules already fetched elsewhere (by the parent of a worker process)."""
        self._robots.preload(host, text)

    def _page(self, final_url: str, response: requests.Response) -> Page:
        """The body is already capped: by the transport on the way in, for cached ones too."""
        if response.status_code != 200:
            raise HTTPStatusError(response.status_code, response.reason or "")
        content = response.content
        from_cache = bool(getattr(response, "from_cache", False))
        created = getattr(response, "created_at", None) if from_cache else None
        return Page(
            url=final_url,
            content=content,
            encoding=_charset(response),
            fetched_at=aware(created) if created else datetime.now(UTC),
            from_cache=from_cache,
        )

    def _get_one(self, url: str, check_robots: bool = True) -> requests.Response:
        """One URL, no redirects followed: from the cache if fresh, else politely from the site."""
        try:
            return self._cached_or_fetched(url, check_robots)
        except sqlite3.Error as exc:
            raise CacheError(f"HTTP cache failed ({one_line(exc)})") from None

    def _cached_or_fetched(self, url: str, check_robots: bool) -> requests.Response:
        cached = self._cached(url)
        is_cached = cached is not None
        fresh = (
            is_cached and not self.options.refresh and cached_age(cached) <= self.options.max_age
        )
        if is_cached and (self.options.offline or fresh):
            self.stats.count("cache_hits")
            return cached
        if self.options.offline:
            raise NotCached(
                "not in the cache, and --offline never touches the network: "
                "run once without --offline to fill the cache"
            )
        if check_robots and self.options.obey_robots:
            self._robots.check(url)
        # --refresh: a conditional request where the site gave validators, else a full one.
        revalidate = is_cached and any(h in cached.headers for h in ("ETag", "Last-Modified"))
        return self._retrier.run(
            url,
            lambda: self._network_get(url, revalidate),
            on_retry=lambda: self.stats.count("retries"),
        )

    def _cached(self, url: str) -> requests.Response | None:
        """The cached response for `url`, looked up directly: a full `session.get` with
        only_if_cached costs as much CPU as the request it saves on a fast site."""
        return self.session.cache.get_response(url_key(url, self.options))

    def _network_get(self, url: str, revalidate: bool = False) -> requests.Response:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxies:  # *_proxy and no_proxy, as requests would apply them
            self._proxies[origin] = requests.utils.get_environ_proxies(url)
        self.stats.count("requests")
        response = self.session.get(
            url,
            headers=self._cookies.headers(url),
            proxies=self._proxies[origin],
            timeout=self.options.timeout,
            allow_redirects=False,
            refresh=revalidate,
            force_refresh=not revalidate,  # past the cache check above, always ask the site
        )
        self._cookies.remember(response)
        return response


def _is_login(url: str) -> bool:
    parts = urlsplit(url)
    where = f"{parts.path}?{parts.query}".lower()
    return any(marker in where for marker in _LOGIN_MARKERS)


def _charset(response: requests.Response) -> str | None:
    content_type = response.headers.get("Content-Type", "")
    if "charset=" not in content_type.lower():
        return None  # requests would guess ISO-8859-1; the page's own <meta> knows better
    return requests.utils.get_encoding_from_headers(response.headers)
