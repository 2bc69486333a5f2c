"""robots.txt: fetched once per host (following its redirects within the site), obeyed, its
Crawl-delay applied to the rate limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
from protego import Protego

from schedscrape.fetch.errors import FetchError, RobotsDisallowed
from schedscrape.fetch.politeness import RateLimiter, SharedRateLimiter
from schedscrape.fetch.redirects import follow
from schedscrape.links import same_site


class Robots:
    """Each host's rules. `fetch` gets one URL without following redirects; thread-safe."""

    def __init__(
        self,
        agent: str,
        fetch: Callable[[str], requests.Response],
        limiter: RateLimiter | SharedRateLimiter,
    ) -> None:
        self._agent = agent
        self._fetch = fetch
        self._limiter = limiter
        self._rules: dict[str, Protego | None] = {}
        self._text: dict[str, str | None] = {}
        # Why a host's robots.txt could not be read: asked once, not again for each page (a
        # host reached only through redirects is not loaded ahead of its pages).
        self._unreadable: dict[str, str] = {}
        self._lock = threading.Lock()

    def text(self, url: str) -> str | None:
        """The robots.txt of `url`'s host (None: the site has none), fetched once per host;
        RobotsDisallowed, every time, if it could not be read."""
        parts = urlsplit(url)
        host = parts.netloc
        with self._lock:
            if host in self._unreadable:
                raise RobotsDisallowed(self._unreadable[host])
            if host not in self._text:
                try:
                    text = self._load(f"{parts.scheme}://{host}/robots.txt")
                except RobotsDisallowed as exc:
                    self._unreadable[host] = str(exc)
                    raise
                self._install(host, text)
            return self._text[host]

    def preload(self, host: str, text: str | None) -> None:
        """Use robots.txt rules already fetched elsewhere (by the parent of a worker process)."""
        with self._lock:
            self._unreadable.pop(host, None)  # rules read elsewhere win over a failure here
            if host not in self._text:
                self._install(host, text)

    def check(self, url: str) -> None:
        """Raise RobotsDisallowed unless the host's robots.txt lets us fetch `url`."""
        self.text(url)
        rules = self._rules[urlsplit(url).netloc]
        if rules is not None and not rules.can_fetch(url, self._agent):
            parts = urlsplit(url)
            raise RobotsDisallowed(f"disallowed by {parts.scheme}://{parts.netloc}/robots.txt")

    def _install(self, host: str, text: str | None) -> None:
        self._text[host] = text
        rules = Protego.parse(text) if text is not None else None
        self._rules[host] = rules
        delay = rules.crawl_delay(self._agent) if rules else None
        if delay:
            self._limiter.slow_down(host, float(delay))

    def _load(self, robots_url: str) -> str | None:
        """The file's text, or None (allow all) when the site has no robots.txt.

        Redirects are followed within the site (see `same_site`): http to https, or to
        `www.`. A redirect to another site leaves the rules unknown, so nothing is crawled.
        """

        def allow(target: str) -> None:
            if not same_site(target, robots_url):
                raise RobotsDisallowed(
                    f"robots.txt redirects to another site ({target}); not crawling"
                )

        try:
            _final_url, response = follow(robots_url, self._fetch, allow)
        except RobotsDisallowed:
            raise
        except FetchError as exc:
            raise RobotsDisallowed(f"robots.txt unreachable ({exc}); not crawling") from None
        if response.status_code >= 500:
            raise RobotsDisallowed(f"robots.txt answered HTTP {response.status_code}; not crawling")
        return response.text if response.status_code == 200 else None
