"""requests' transport adapter, where politeness, the size cap and the deadline are enforced."""

from __future__ import annotations

import http.client
import io
import socket
import time
from contextvars import ContextVar
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

from schedscrape.fetch.errors import FetchError, one_line
from schedscrape.fetch.politeness import RequestGate

# When the request being sent on this thread must have its whole response; None: no deadline.
_deadline: ContextVar[float | None] = ContextVar("schedscrape_deadline", default=None)
_DATA_FILES = (".json", ".csv")


class PoliteTransport(HTTPAdapter):
    """requests' transport, where politeness is enforced: each request waits for the host's
    rate limit and an in-flight place, and holds the place only while it is on the wire.

    The body is read here, decompressed and capped at `max_bytes`, so a gzip bomb or a lying
    Content-Length never fills memory; the place is given back before the cache stores it.
    A data file's address (`.json`, `.csv`: the sites' feeds) gets the larger `max_data_bytes`.

    The whole response, headers and body, must arrive within `deadline` seconds of the
    request's turn: requests' timeout bounds each wait for data, so a server that sends a
    byte a second would otherwise hold a worker for ever.
    """

    def __init__(
        self,
        limiter: RequestGate,
        max_bytes: int,
        pool: int,
        deadline: float,
        max_data_bytes: int | None = None,
    ):
        super().__init__(pool_maxsize=pool)
        self._limiter = limiter
        self._max_bytes = max_bytes
        self._max_data_bytes = max(max_bytes, max_data_bytes or 0)
        self._deadline = deadline

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS proxies bring their own connections
            manager.pool_classes_by_scheme = _POOLS
        return manager

    def send(self, request: requests.PreparedRequest, *args, **kwargs) -> requests.Response:
        parts = urlsplit(request.url or "")
        data_file = parts.path.lower().endswith(_DATA_FILES)
        with self._limiter.request(parts.netloc):
            deadline = time.monotonic() + self._deadline
            token = _deadline.set(deadline)
            try:
                response = super().send(request, *args, **kwargs)
                _read_capped(response, self._max_data_bytes if data_file else self._max_bytes)
            except requests.RequestException:
                if time.monotonic() < deadline:
                    raise
                raise requests.Timeout(
                    f"response not complete within its deadline ({self._deadline:g} s)"
                ) from None
            finally:
                _deadline.reset(token)
        return response


class _DeadlineReader(io.RawIOBase):
    """A socket's reads, each allowed only the time left before the deadline (and never more
    than the socket's own timeout)."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._raw = sock.makefile("rb", buffering=0)
        self._deadline = deadline
        self._timeout = sock.gettimeout()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("past the response's deadline")
        self._sock.settimeout(left if self._timeout is None else min(left, self._timeout))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineResponse(http.client.HTTPResponse):
    """http.client's response, reading its status line, headers and body through a
    _DeadlineReader when the transport set a deadline."""

    def __init__(self, sock: socket.socket, *args, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        deadline = _deadline.get()
        if deadline is not None:
            self.fp.close()  # nothing read from it yet
            self.fp = io.BufferedReader(_DeadlineReader(sock, deadline))


class _HTTPConnection(HTTPConnection):
    response_class = _DeadlineResponse


class _HTTPSConnection(HTTPSConnection):
    response_class = _DeadlineResponse


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


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
