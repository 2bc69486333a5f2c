"""requests' transport adapter, where politeness and the size cap are enforced."""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from schedscrape.fetch.errors import FetchError, one_line
from schedscrape.fetch.politeness import _RequestGate


class PoliteTransport(HTTPAdapter):
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
        raise FetchError(f"undecodable response body ({one_line(exc)})") from None
    response._content = b"".join(chunks)
    response._content_consumed = True
