"""A small conference site on 127.0.0.1 for crawl tests and the crawl benchmark.

It serves a calendar, session pages in the virtual-site markup, robots.txt and faults, and
logs every request it answers (time, path, User-Agent) so tests can check politeness. Given a
TLS context, the same port also speaks HTTPS, so `http://127.0.0.1:P` and `https://127.0.0.1:P`
are one host, as `http://icml.cc` and `https://icml.cc` are.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html
import socket
import ssl
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def session_page(year: int, session_id: int, cards: int) -> bytes:
    """A poster session page in the markup of the real sites, with `cards` talk cards."""
    card_html = []
    for number in range(1, cards + 1):
        event = session_id * 1000 + number
        card_html.append(f"""
      <div class="track-schedule-card">
        <div>
          <div class="btn-spacer float-end track-pad">
            <div class="float-end small">Poster</div>
            <div class="small" title="Poster Position">#{session_id}-{number}</div>
          </div>
          <h5><strong><a href="/virtual/{year}/poster/{event}">Talk {number} of session
            {session_id}: $\\alpha$-Scaling of ``Things''</a></strong></h5>
          <p class="text-muted">Ada Lovelace &middot; Alan Turing &middot; Author {number}</p>
        </div>
        <div class="abstract"><p>We study 84.6% of {html.escape("<things>")} with
          $\\mathcal{{O}}(n)$ work; see \\href{{https://example.org/{event}}}{{code}}.</p></div>
      </div>""")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ICML {year}</title></head><body>
<span onclick="toggle_bookmark(bookmark_id='the-bookmark-1', event_id='{session_id}')"></span>
<div class="card-header">
  <h3 class="text-center">Poster Session</h3>
  <h2 class="card-title main-title text-center">Poster Session {session_id}</h2>
  <h5 class="text-center text-muted">Hall {session_id % 7}</h5>
  <div class="text-center">
    <div>{date(year, 7, 16):%a} 16 Jul 11 a.m. PDT &mdash; 1:30 p.m. PDT</div></div>
</div>
<div class="container">{"".join(card_html)}
</div>
<div id="successful-page-load" class="hidden">Successful Page Load</div>
</body></html>""".encode()


def calendar_page(year: int, session_ids: list[int]) -> bytes:
    links = "\n".join(
        f'<div class="poster-session"><a href="/virtual/{year}/session/{sid}">Session {sid}</a>'
        f'</div><a href="/virtual/{year}/session/{sid}#details">again</a>'
        for sid in session_ids
    )
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<div class="container2 day-1">{links}
<a href="/virtual/{year - 1}/session/1">last year's session</a>
<a href="https://elsewhere.example/virtual/{year}/session/777">another host</a>
<a href="/virtual/{year}/poster/5">a poster</a>
</div></body></html>""".encode()


LOGIN_WALL = b"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<p>You must be logged in to view this content.</p>
<form><input type="password" name="password"></form></body></html>"""


@dataclass
class Fault:
    """What a session id does instead of answering normally."""

    status: int = 200
    times: int = 1  # how many requests get the fault before the page answers normally
    retry_after: str | None = None
    delay: float = 0.0
    location: str | None = None
    body: bytes | None = None
    content_type: str | None = None
    # Raw misbehaviour instead of an answer: "reset" (connection reset mid-body), "short"
    # (body shorter than its Content-Length), "hang" (accept, never answer), "gzip_bomb",
    # "drip" (the page's body one byte every DRIP_EVERY seconds), "drip_headers" (the same
    # for the headers).
    kind: str | None = None


@dataclass
class SiteConfig:
    year: int = 2022
    sessions: list[int] = field(default_factory=lambda: list(range(101, 106)))
    cards: int = 5
    robots: str = "User-agent: *\nDisallow: /private/\n"
    latency: float = 0.0
    faults: dict[int, Fault] = field(default_factory=dict)
    robots_location: str | None = None  # robots.txt over plain HTTP answers 301 to this
    robots_fault: Fault | None = None  # robots.txt misbehaves (a Fault with a kind)


@dataclass
class LoggedRequest:
    time: float
    path: str
    user_agent: str


class FakeSite:
    """`with FakeSite(config) as site:` serves on `site.url` until the block ends."""

    def __init__(self, config: SiteConfig | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.config = config or SiteConfig()
        self.log: list[LoggedRequest] = []
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests being answered at one moment
        self._lock = threading.Lock()
        self._fault_counts: dict[int, int] = {}
        self.stopping = threading.Event()
        self._pages = {
            sid: session_page(self.config.year, sid, self.config.cards)
            for sid in self.config.sessions
        }
        self.server = _Server(("127.0.0.1", 0), self._handler(), tls)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.https_url = f"https://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> FakeSite:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [entry.path for entry in self.log]

    def fault_for(self, path: str) -> Fault | None:
        if path == "/robots.txt":
            return self.config.robots_fault
        prefix = f"/virtual/{self.config.year}/session/"
        rest = path[len(prefix) :] if path.startswith(prefix) else ""
        return self.config.faults.get(int(rest)) if rest.isdigit() else None

    def _answer(self, path: str, secure: bool) -> tuple[int, dict[str, str], bytes]:
        config = self.config
        if path == "/robots.txt" and config.robots_location and not secure:
            return 301, {"Location": config.robots_location}, b""
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, config.robots.encode()
        if path == f"/virtual/{config.year}/calendar":
            return 200, _HTML, calendar_page(config.year, config.sessions)
        prefix = f"/virtual/{config.year}/session/"
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            session_id = int(path[len(prefix) :])
            fault = config.faults.get(session_id)
            if fault is not None:
                with self._lock:
                    seen = self._fault_counts.get(session_id, 0)
                    self._fault_counts[session_id] = seen + 1
                if fault.delay:
                    time.sleep(fault.delay)
                if seen < fault.times and (fault.status != 200 or fault.body is not None):
                    headers = dict(_HTML)
                    if fault.retry_after:
                        headers["Retry-After"] = fault.retry_after
                    if fault.location:
                        headers["Location"] = fault.location
                    if fault.content_type:
                        headers["Content-Type"] = fault.content_type
                    return fault.status, headers, fault.body or b"fault"
            if session_id in self._pages:
                return 200, _HTML, self._pages[session_id]
        if path.startswith("/accounts/login"):
            return 200, _HTML, LOGIN_WALL
        return 404, _HTML, b"<html><body>Not found</body></html>"

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's
            # algorithm and the client's delayed ACK add ~40 ms to every response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                with site._lock:
                    site.log.append(
                        LoggedRequest(
                            time.monotonic(), self.path, self.headers.get("User-Agent", "")
                        )
                    )
                    site.in_flight += 1
                    site.most_in_flight = max(site.most_in_flight, site.in_flight)
                try:
                    if site.config.latency:
                        time.sleep(site.config.latency)
                    fault = site.fault_for(self.path)
                    misbehaviour = fault.kind if fault is not None else None
                    secure = isinstance(self.connection, ssl.SSLSocket)
                    answer = None if misbehaviour else site._answer(self.path, secure)
                finally:
                    # Counted until the answer is ready, not until it is sent: the client may
                    # send its next request as soon as it has read this one.
                    with site._lock:
                        site.in_flight -= 1
                if misbehaviour:
                    self._misbehave(misbehaviour)
                    return
                status, headers, body = answer
                if status == 200:
                    etag = f'"{zlib.crc32(body):08x}"'
                    headers = {**headers, "ETag": etag}
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _misbehave(self, kind: str) -> None:
                if kind in ("drip", "drip_headers"):
                    self._drip(kind)
                    return
                if kind == "hang":
                    site.stopping.wait(30)
                    self.close_connection = True
                    return
                if kind == "gzip_bomb":
                    body = _gzip_bomb()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"<html><body>" + b"x" * 1000)
                self.wfile.flush()
                if kind == "reset":  # RST instead of FIN
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                self.close_connection = True
                self.connection.close()

            def _drip(self, kind: str) -> None:
                body = site._pages[site.config.sessions[0]]
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
                if kind == "drip":
                    self.wfile.write(head)
                slow = body if kind == "drip" else head
                with contextlib.suppress(OSError):  # the client gave up
                    for byte in slow:
                        if site.stopping.wait(DRIP_EVERY):
                            break
                        self.wfile.write(bytes([byte]))
                self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass  # the test reads site.log instead

        return Handler


_HTML = {"Content-Type": "text/html; charset=utf-8"}
DRIP_EVERY = 0.1  # seconds between the bytes of a dripping answer: well within any timeout


class _Server(ThreadingHTTPServer):
    """Plain HTTP; with a TLS context, HTTPS on the same port too: a connection that opens
    with a TLS handshake record (0x16) is wrapped, as a server behind one address would be."""

    daemon_threads = True

    def __init__(self, address, handler, tls: ssl.SSLContext | None) -> None:
        super().__init__(address, handler)
        self.tls = tls

    def finish_request(self, request, client_address) -> None:
        if self.tls is None or request.recv(1, socket.MSG_PEEK) != b"\x16":
            super().finish_request(request, client_address)
            return
        try:
            wrapped = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # the client refused the certificate
        with wrapped:
            super().finish_request(wrapped, client_address)


@functools.cache
def _gzip_bomb() -> bytes:
    """64 MB of zeros, gzipped to about 64 KB."""
    return gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9)
