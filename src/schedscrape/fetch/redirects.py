"""Following redirects, and what counts as the same host and the same site."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

import requests

from schedscrape.fetch.errors import FetchError

MAX_REDIRECTS = 5


def follow(
    url: str, get: Callable[[str], requests.Response], allow: Callable[[str], None]
) -> tuple[str, requests.Response]:
    """The final address and response of `url`, after at most MAX_REDIRECTS redirects; `get`
    fetches one address, `allow` raises to refuse a redirect's target before it is fetched."""
    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        response = get(current)
        if not response.is_redirect:
            return current, response
        current = urljoin(current, response.headers.get("Location", ""))
        allow(current)
    raise FetchError(f"too many redirects (more than {MAX_REDIRECTS})")


def same_site(url: str, other: str) -> bool:
    """Whether two http(s) addresses are on one site: the same host name once a leading `www.`
    is set aside, whatever the scheme and port (`http://icml.cc/` and
    `https://www.icml.cc:443/` are; `https://cdn.icml.cc/` is not)."""
    first, second = urlsplit(url), urlsplit(other)
    web = {"http", "https"}
    return {first.scheme, second.scheme} <= web and _site(first.hostname) == _site(second.hostname)


def _site(host: str | None) -> str:
    return (host or "").rstrip(".").removeprefix("www.")
