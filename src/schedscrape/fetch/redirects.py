"""Following redirects (within one site: `schedscrape.links.same_site`)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

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
