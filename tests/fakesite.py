"""A small conference site on 127.0.0.1 for crawl tests and the crawl benchmark.

It serves a calendar, session pages in the virtual-site markup, robots.txt and faults, and
logs every request it answers (time, path, User-Agent) so tests can check politeness. Given
events lists, it is a 2026-style site instead: its calendar links the year's events lists
and no session, the lists print times without a zone, and each event's detail page prints
its time with a numeric offset (`-03`); given `feed` events, it also serves the year's JSON
feed (`/static/virtual/data/iclr-2026-orals-posters.json`, the calendar's title names the
conference; a site of session pages may serve one too). Several sites on their own ports are
several hosts. Given a TLS context, the same port also speaks HTTPS, so `http://127.0.0.1:P` and `https://127.0.0.1:P`
are one host, as `http://icml.cc` and `https://icml.cc` are.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import html
import json
import socket
import ssl
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
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


def poster_detail_page(base: str, year: int, session_id: int, number: int) -> bytes:
    """A 2020-25 event detail page of a session page's talk: its links and full abstract."""
    event = session_id * 1000 + number
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ICML {year} Poster {event}</title>
<link rel="canonical" href="{base}/virtual/{year}/poster/{event}"></head><body>
<div class="card-header">
  <h3 class="text-center">Poster</h3>
  <h2 class="card-title main-title text-center">Talk {number} of session {session_id}</h2>
  <h3 class="card-subtitle mb-2 text-muted text-center">Ada Lovelace &middot; Alan Turing</h3>
  <h5 class="text-center text-muted">Hall {session_id % 7} #{session_id}-{number}</h5>
  <div class="text-center">
    <div>{date(year, 7, 16):%a} 16 Jul 11 a.m. PDT &mdash; 1:30 p.m. PDT</div></div>
  <a class="btn href_URL" title="OpenReview" href="https://openreview.net/forum?id=P{event}">
    OpenReview</a>
</div>
<div id="abstractExample"><span class="font-weight-bold">Abstract:</span>
  <p>The full abstract of poster {event}.</p></div>
</body></html>""".encode()


def calendar_page(
    year: int, session_ids: list[int], events_lists: list[str] = (), conference: str | None = None
) -> bytes:
    """The year's calendar: its sessions' links, or its events lists'; the `conference` its
    title names tells the crawl where the feed would be."""
    links = "\n".join(
        f'<div class="poster-session"><a href="/virtual/{year}/session/{sid}">Session {sid}</a>'
        f'</div><a href="/virtual/{year}/session/{sid}#details">again</a>'
        for sid in session_ids
    )
    links += "\n".join(
        f'<a class="nav-link" href="/virtual/{year}/events/{kind}">{kind.title()}s</a>'
        f'<a href="/virtual/{year}/events/{kind}/">again</a>'
        f'<a href="https://elsewhere.example/virtual/{year}/events/{kind}">another host</a>'
        f'<a href="/virtual/{year - 1}/events/{kind}">last year</a>'
        for kind in events_lists
    )
    title = f"<title>{conference} {year} Calendar</title>" if conference else ""
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8">{title}</head><body>
<div class="container2 day-1">{links}
<a href="/virtual/{year - 1}/session/1">last year's session</a>
<a href="https://elsewhere.example/virtual/{year}/session/777">another host</a>
<a href="/virtual/{year}/poster/5">a poster</a>
</div></body></html>""".encode()


def event_slot(index: int) -> tuple[date, str, str]:
    """The n-th event of a list: its day and its start and end as printed (15 minutes each,
    from 9:00 AM on Apr 23; the last one runs past noon)."""
    start = 9 * 60 + 15 * index
    return date(2026, 4, 23), _clock(start), _clock(start + 15)


def _clock(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    return f"{(hours - 1) % 12 + 1}:{minutes:02d} {'AM' if hours < 12 else 'PM'}"


def events_list_page(year: int, kind: str, event_ids: list[int]) -> bytes:
    """A 2026 events list: one card per event, times with no zone (MARKUP.md)."""
    cards = []
    for index, event in enumerate(event_ids):
        day, start, end = event_slot(index)
        cards.append(f"""
    <div class="event-card touchup-date" id="event-{event}" data-event-id="{event}"
         data-event-type="{kind.title()}" data-event-title="event {event}">
      <span class="event-type-badge">{kind.title()}</span>
      <h3 class="event-title"><a href="/virtual/{year}/{kind}/{event}">Event {event}:
        $\\alpha$-Scaling</a></h3>
      <div class="event-speakers">Ada Lovelace &#8901; Author {index}</div>
      <div class="event-meta-row">
        <span class="meta-pill time"><i class="fas fa-clock"></i>
          <span class="touchup-time">{day:%b} {day.day}, {start} - {end}</span></span>
        <span class="meta-pill"><i class="fas fa-map-marker-alt"></i> <span>HALL A</span></span>
      </div>
      <div class="event-abstract">
        <div class="abstract-text" id="abstract-{event}">We study event {event}.</div>
        <a class="show-more-btn" href="#">Show more</a>
        <a class="view-details-link" href="/virtual/{year}/{kind}/{event}">View full details</a>
      </div>
    </div>""")
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{year} {kind.title()}s</title></head><body>
<nav><a class="nav-link" href="/virtual/{year}/events/{kind}">{kind.title()}s</a></nav>
<div class="events-page-header"><h1>{year} {kind.title()}s</h1>
  <span class="events-count-badge">{len(event_ids)} Events</span></div>
<div class="grid-displaycards" id="events-container">{"".join(cards)}
</div>
<footer>Successful Page Load</footer>
</body></html>""".encode()


def detail_page_2026(base: str, year: int, kind: str, event: int, index: int, offset: str) -> bytes:
    """A 2026 event detail page: the event's time with a numeric offset, and its links."""
    day, start, end = event_slot(index)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Event {event}</title>
<link rel="canonical" href="{base}/virtual/{year}/{kind}/{event}"></head><body>
<main class="event-page"><div class="event-header">
  <span class="event-type-badge">{kind.title()}</span>
  <h1 class="event-title">Event {event}: $\\alpha$-Scaling</h1>
  <div class="event-organizers">Ada Lovelace &#8901; Author {index}</div>
  <div class="event-meta-row">
    <span class="meta-pill"><i class="fas fa-calendar"></i>
      {day:%a}, {day:%b} {day.day}, {day.year} &bull; {start} &ndash; {end} {offset}</span>
    <span class="meta-pill"><i class="fas fa-map-marker-alt"></i> <span>HALL A</span></span>
  </div>
  <div class="event-actions">
    <a class="action-btn" href="https://openreview.net/forum?id=E{event}">OpenReview</a>
  </div>
</div>
<div class="abstract-section"><h3 class="abstract-header">Abstract</h3>
  <div class="abstract-text collapsed"><div class="abstract-text-inner">
    <p>We study event {event}, in full.</p></div>
    <button class="show-more-btn">Show more</button></div></div>
</main></body></html>""".encode()


def feed_file(config: SiteConfig) -> bytes:
    """The site's JSON feed with a record for each of `config.feed` (MARKUP.md): an event of
    a list at the same time as its detail page prints (or the same moment in UTC), a session
    page's talk at its session's time; the OpenReview link, authors' institutions."""
    papers = [
        (kind, event, index, *event_slot(index))
        for kind, ids in config.events_lists.items()
        for index, event in enumerate(ids)
    ] + [
        ("poster", session * 1000 + number, number, date(config.year, 7, 16), "11:00 AM", "1:30 PM")
        for session in config.sessions
        for number in range(1, config.cards + 1)
    ]
    offset = -3 if config.events_lists else -7
    records = [
        {
            "id": event,
            "uid": f"u{event}",
            "name": f"Event {event}: $\\alpha$-Scaling",
            "authors": [
                {"fullname": "Ada Lovelace", "institution": "Analytical Engines"},
                {"fullname": f"Author {index}", "institution": ""},
            ],
            "abstract": f"We study event {event}, in full.",
            "session": f"{kind.title()} Session",
            "eventtype": kind.title(),
            "room_name": "HALL A",
            "virtualsite_url": f"/virtual/{config.year}/{kind}/{event}",
            "starttime": _iso(day, start, offset, config, event),
            "endtime": _iso(day, end, offset, config, event),
            "paper_url": f"https://openreview.net/forum?id={'E' if offset == -3 else 'P'}{event}",
        }
        for kind, event, index, day, start, end in papers
        if event in (config.feed or [])
    ]
    return json.dumps({"count": len(records), "next": None, "results": records}).encode()


def _iso(day: date, clock: str, hours: int, config: SiteConfig, event: int) -> str:
    moment = datetime.combine(day, datetime.strptime(clock, "%I:%M %p").time())
    moment = moment.replace(tzinfo=timezone(timedelta(hours=hours)))
    moment += timedelta(hours=1) if event == config.feed_moved else timedelta(0)
    return (moment.astimezone(UTC) if config.feed_in_utc else moment).isoformat()


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
    # A 2026-style site: events lists by kind ("oral": event ids), each event with a detail
    # page printing `detail_offset`, or its own offset here (None: no detail page, a 404).
    events_lists: dict[str, list[int]] = field(default_factory=dict)
    detail_offset: str = "-03"
    detail_offsets: dict[int, str | None] = field(default_factory=dict)
    # The events the year's JSON feed holds (None: no feed, a 404), or a Fault it answers.
    feed: list[int] | None = None
    feed_fault: Fault | None = None
    feed_in_utc: bool = False
    feed_moved: int | None = None  # an event the feed has an hour later than its pages
    # The host name the site answers under (its tests resolve it to 127.0.0.1): a request
    # for any other host name, robots.txt included, is answered 301 to the same path on it.
    home_host: str | None = None

    @property
    def conference(self) -> str:
        """As the calendar's title and the feed's name spell it (session pages say ICML)."""
        return "ICLR" if self.events_lists else "ICML"

    @property
    def feed_path(self) -> str:
        name = f"{self.conference.lower()}-{self.year}-orals-posters.json"
        return f"/static/virtual/data/{name}"


@dataclass
class LoggedRequest:
    time: float
    path: str
    user_agent: str
    host: str = ""  # the Host header's name, without its port


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
        if path == self.config.feed_path:
            return self.config.feed_fault
        prefix = f"/virtual/{self.config.year}/session/"
        rest = path[len(prefix) :] if path.startswith(prefix) else ""
        return self.config.faults.get(int(rest)) if rest.isdigit() else None

    def _answer(self, path: str, secure: bool) -> tuple[int, dict[str, str], bytes]:
        config = self.config
        if path == "/robots.txt" and config.robots_location and not secure:
            return 301, {"Location": config.robots_location}, b""
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, config.robots.encode()
        if path == config.feed_path:
            fault = config.feed_fault
            if fault is not None:
                content_type = fault.content_type or "text/html"
                return fault.status, {"Content-Type": content_type}, fault.body or b"fault"
            if config.feed is not None:
                feed = feed_file(config)
                return 200, {"Content-Type": "application/json"}, feed
        if path == f"/virtual/{config.year}/calendar":
            calendar = calendar_page(
                config.year,
                config.sessions,
                [*config.events_lists],
                config.conference if config.events_lists or config.feed is not None else None,
            )
            return 200, _HTML, calendar
        event_page = self._event_page(path)
        if event_page is not None:
            return 200, _HTML, event_page
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

    def _event_page(self, path: str) -> bytes | None:
        """An events list, or an event's detail page: 2020-25 for a session's talk, 2026 for
        an event on a list."""
        config = self.config
        parts = path.split("/")[1:]  # "virtual", year, then "events", kind or kind, event
        if len(parts) != 4 or parts[:2] != ["virtual", str(config.year)]:
            return None
        if parts[2] == "events":
            ids = config.events_lists.get(parts[3])
            return events_list_page(config.year, parts[3], ids) if ids else None
        event = int(parts[3]) if parts[3].isdigit() else 0
        session_id, number = divmod(event, 1000)
        if parts[2] == "poster" and session_id in config.sessions and 1 <= number <= config.cards:
            return poster_detail_page(self.url, config.year, session_id, number)
        ids = config.events_lists.get(parts[2], [])
        offset = config.detail_offsets.get(event, config.detail_offset)
        if event not in ids or offset is None:
            return None
        return detail_page_2026(self.url, config.year, parts[2], event, ids.index(event), offset)

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; without TCP_NODELAY, Nagle's
            # algorithm and the client's delayed ACK add ~40 ms to every response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                host = self.headers.get("Host", "").rsplit(":", 1)[0]
                with site._lock:
                    site.log.append(
                        LoggedRequest(
                            time.monotonic(),
                            self.path,
                            self.headers.get("User-Agent", ""),
                            host,
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
                    home = site.config.home_host
                    if home and host != home:  # the site moved to its home host name
                        port = site.server.server_port
                        answer = 301, {"Location": f"http://{home}:{port}{self.path}"}, b""
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
