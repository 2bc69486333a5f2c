"""`--cookies FILE`: members-only pages read with the user's own login, each cookie sent only to
the domain and path it names, and no cookie value written to any file (output or HTTP cache).

The site is a server on 127.0.0.1 that the tests start; `localhost` on the same port is a second
host, which must never receive a cookie meant for 127.0.0.1.
"""

import json
import secrets
import sqlite3
import sys
import threading
import time
import warnings
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import responses

from schedscrape.cli import main
from schedscrape.fetch import CookieFileError, Fetcher, FetchError, FetchOptions, load_cookies
from tests.fakesite import LOGIN_WALL, session_page

YEAR = 2022
SESSION = f"/virtual/{YEAR}/session"


def cookies_txt(*lines: str) -> str:
    return "# Netscape HTTP Cookie File\n" + "".join(f"{line}\n" for line in lines)


def cookie(domain, name, value, path="/", expires="0", subdomains=None, secure="FALSE") -> str:
    if subdomains is None:
        subdomains = "TRUE" if domain.startswith(".") else "FALSE"
    return "\t".join([domain, subdomains, path, secure, str(expires), name, value])


@pytest.fixture
def secret():
    return secrets.token_hex(16)


@contextmanager
def members_site(secret: str):
    """Session pages for members only: with the `sessionid` cookie the page, without it a login
    wall (or, for session 108, a redirect to the login page). Session 109 redirects to the same
    page on `localhost`. Every page sets the session cookie again, as sites that renew it do."""
    log: list[tuple[str, str, str]] = []  # (Host, path, Cookie)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            cookies = self.headers.get("Cookie", "")
            log.append((self.headers.get("Host", ""), self.path, cookies))
            member = f"sessionid={secret}" in cookies.split("; ")
            status, headers, body = 404, {}, b"not found"
            if self.path == "/robots.txt":
                status, body = 200, b"User-agent: *\nAllow: /\n"
            elif self.path == f"{SESSION}/109":
                status, headers = 302, {"Location": f"http://localhost:{port}{SESSION}/101"}
            elif self.path.startswith(SESSION) and self.path.rsplit("/", 1)[-1].isdigit():
                session_id = int(self.path.rsplit("/", 1)[-1])
                if member:
                    status, body = 200, session_page(YEAR, session_id, 3)
                    headers = {"Set-Cookie": f"sessionid={secret}; Path=/virtual; HttpOnly"}
                elif session_id == 108:
                    status, headers = 302, {"Location": f"/accounts/login?next={self.path}"}
                else:
                    status, body = 200, LOGIN_WALL
            self.send_response(status)
            for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}", f"http://localhost:{port}", log
    finally:
        server.shutdown()
        server.server_close()



def scrape(tmp_path, monkeypatch, *argv):
    """`schedscrape scrape ...` in this process, with sys.argv as the shell would set it (the
    manifest records the arguments)."""
    argv = ["scrape", *map(str, argv), "--rate", "1000", "--cache", tmp_path / "cache" / "c.db"]
    argv = [str(arg) for arg in argv]
    monkeypatch.setattr(sys, "argv", ["schedscrape", *argv])
    return main(argv)


def test_members_only_pages_are_read_with_cookies_and_the_value_is_in_no_file(
    tmp_path, monkeypatch, capsys, secret, workers
):
    """The done-when test: members-only pages are read with --cookies; the second host never
    receives the cookie, not through a redirect either; and the cookie's value is in no file
    under the output folder or the cache, the SQLite cache included."""
    jar = tmp_path / "cookies.txt"
    # As curl and browser exports write a session cookie: HttpOnly, expiry 0.
    jar.write_text(
        cookies_txt(
            "#HttpOnly_" + cookie("127.0.0.1", "sessionid", secret, path="/virtual"),
            cookie("127.0.0.1", "csrftoken", secret[::-1], expires=int(time.time()) + 3600),
        )
    )
    out = tmp_path / "out"
    with members_site(secret) as (site, other_host, log):
        urls = [f"{site}{SESSION}/101", f"{site}{SESSION}/102", f"{other_host}{SESSION}/103"]
        status = scrape(
            tmp_path, monkeypatch, *urls, f"{site}{SESSION}/109", "-o", out, "--cookies", jar
        )
        err = capsys.readouterr().err
        assert status == 1  # the other host's page and the redirect to it fail; the rest is kept
        sessions = json.loads((out / "sessions.json").read_text())
        assert sorted(s["session_id"] for s in sessions) == ["101", "102"]
        assert f"{SESSION}/103: login required" in err
        assert f"{SESSION}/109: redirect to another site refused" in err

        sent = {(host.split(":")[0], path): cookies for host, path, cookies in log}
        assert f"sessionid={secret}" in sent["127.0.0.1", f"{SESSION}/101"]
        assert sent["127.0.0.1", "/robots.txt"] == f"csrftoken={secret[::-1]}"  # path /virtual
        assert [c for (host, _path), c in sent.items() if host == "localhost"] == ["", ""]
        assert ("localhost", f"{SESSION}/101") not in sent  # the redirect was not followed

        # A run without cookies is never served the members-only pages from the cache.
        assert scrape(tmp_path, monkeypatch, f"{site}{SESSION}/101", "-o", tmp_path / "anon") == 1
        assert "login required" in capsys.readouterr().err

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["arguments"][manifest["arguments"].index("--cookies") + 1] == str(jar)
    for value in (secret, secret[::-1]):
        assert value in jar.read_text()
        found = [
            path
            for path in tmp_path.rglob("*")
            if path.is_file() and path.name != "cookies.txt" and value.encode() in path.read_bytes()
        ]
        assert found == []
    cache_files = {path.name for path in (tmp_path / "cache").iterdir()}
    assert "c.db" in cache_files  # the SQLite cache was written, and searched above


def test_a_login_wall_with_cookies_says_they_were_refused_or_expired(
    tmp_path, monkeypatch, capsys, secret
):
    jar = tmp_path / "cookies.txt"
    jar.write_text(cookies_txt(cookie("127.0.0.1", "sessionid", "an-old-session")))
    with members_site(secret) as (site, _other_host, _log):
        urls = [f"{site}{SESSION}/101", f"{site}{SESSION}/108"]  # a wall; a redirect to login
        assert scrape(tmp_path, monkeypatch, *urls, "-o", tmp_path / "out", "--cookies", jar) == 1
    lines = capsys.readouterr().err.splitlines()
    refused = [line for line in lines if "still asked to log in" in line]
    assert refused == [
        f"schedscrape: error: 2 pages still asked to log in with --cookies {jar}: the site "
        "refused the cookies, they have expired, or none is for that site; log in again in "
        "your browser and export them again"
    ]


def test_a_login_wall_cached_without_cookies_is_not_served_to_a_run_with_them(
    tmp_path, monkeypatch, capsys, secret
):
    jar = tmp_path / "cookies.txt"
    jar.write_text(cookies_txt(cookie("127.0.0.1", "sessionid", secret)))
    with members_site(secret) as (site, _other_host, _log):
        url = f"{site}{SESSION}/101"
        assert scrape(tmp_path, monkeypatch, url, "-o", tmp_path / "anon") == 1  # a login wall
        assert scrape(tmp_path, monkeypatch, url, "-o", tmp_path / "out", "--cookies", jar) == 0
    sessions = json.loads((tmp_path / "out" / "sessions.json").read_text())
    assert [s["session_id"] for s in sessions] == ["101"]


# --- which cookie goes where (the Fetcher, with `responses`) ------------------------------


@pytest.fixture
def fetcher(tmp_path, monkeypatch):
    monkeypatch.setattr(time, "sleep", lambda _seconds: None)

    def make(cookie_lines: list[str]) -> Fetcher:
        path = tmp_path / "cookies.txt"
        path.write_text(cookies_txt(*cookie_lines))
        options = FetchOptions(
            cache_path=tmp_path / "cache.sqlite", rate=1000.0, cookies=load_cookies(path)
        )
        return Fetcher(options)

    return make


def sent_cookie(url: str) -> str | None:
    (call,) = [call for call in responses.calls if call.request.url == url]
    return call.request.headers.get("Cookie")


@responses.activate
def test_each_cookie_goes_only_to_its_domain_and_path(fetcher):
    urls = {
        "host": "https://icml.cc/virtual/2022/session/1",
        "subdomain": "https://www.icml.cc/virtual/2022/session/1",
        "other path": "https://icml.cc/static/x",
        "over http": "http://icml.cc/virtual/2022/session/2",
        "other site": "https://neurips.cc/virtual/2022/session/1",
        "suffix, not a subdomain": "https://evilicml.cc/virtual/2022/session/1",
    }
    for url in urls.values():
        responses.get(url, body="page")
        responses.get(url.rsplit("/virtual", 1)[0].rsplit("/static", 1)[0] + "/robots.txt")
    client = fetcher(
        [
            cookie("icml.cc", "host_only", "1", path="/virtual"),
            cookie(".icml.cc", "whole_domain", "2"),
            cookie("icml.cc", "secure_only", "3", secure="TRUE"),
        ]
    )
    for url in urls.values():
        client.get(url)
    assert sent_cookie(urls["host"]) == "host_only=1; secure_only=3; whole_domain=2"
    assert sent_cookie(urls["subdomain"]) == "whole_domain=2"  # requests alone sends host_only
    assert sent_cookie(urls["other path"]) == "secure_only=3; whole_domain=2"
    assert sent_cookie(urls["over http"]) == "host_only=1; whole_domain=2"
    assert sent_cookie(urls["other site"]) is None
    assert sent_cookie(urls["suffix, not a subdomain"]) is None


@responses.activate
def test_a_cookie_the_site_sets_goes_back_to_that_site_only(fetcher):
    first, second = "https://icml.cc/virtual/2022/session/1", "https://icml.cc/virtual/2022/x"
    other = "https://neurips.cc/virtual/2022/session/1"
    for site in ("https://icml.cc", "https://neurips.cc"):
        responses.get(f"{site}/robots.txt", status=404)
    responses.get(first, body="page", headers={"Set-Cookie": "renewed=yes; Path=/"})
    responses.get(second, body="page")
    responses.get(other, body="page")
    client = fetcher([cookie("icml.cc", "sessionid", "s1")])
    for url in (first, second, other):
        client.get(url)
    assert set(sent_cookie(second).split("; ")) == {"renewed=yes", "sessionid=s1"}
    assert sent_cookie(other) is None


@responses.activate
def test_the_cache_stores_no_cookie(fetcher, tmp_path, secret):
    """requests-cache would store the request's Cookie header and jar, the response's
    Set-Cookie, and a redirect's next request with its cookies."""
    page, moved = "https://icml.cc/virtual/2022/session/1", "https://icml.cc/virtual/2022/s/1"
    responses.get("https://icml.cc/robots.txt", status=404)
    responses.get(moved, status=301, headers={"Location": page, "Set-Cookie": f"moved={secret}"})
    responses.get(page, body="page", headers={"Set-Cookie": f"sessionid={secret}; Path=/"})
    with fetcher([cookie("icml.cc", "sessionid", secret), cookie(".other.org", "x", secret)]) as f:
        assert f.get(moved).content == b"page"
        assert f.get(moved).from_cache  # cached, and read back without the cookies
        assert f.get(page).from_cache
    assert secret in sent_cookie(page)
    with sqlite3.connect(tmp_path / "cache.sqlite") as db:
        rows = db.execute("SELECT value FROM responses").fetchall()
    assert len(rows) == 2  # the redirect and the page (a 404 is not cached)
    assert all(secret.encode() not in bytes(value) for (value,) in rows)
    for path in tmp_path.glob("cache.sqlite*"):
        assert secret.encode() not in path.read_bytes()


@responses.activate
def test_pages_fetched_with_cookies_are_cached_apart(fetcher, tmp_path):
    url = "https://icml.cc/virtual/2022/session/1"
    responses.get("https://icml.cc/robots.txt", status=404)
    responses.get(url, body="members page")
    with fetcher([cookie("icml.cc", "sessionid", "s1")]) as member:
        member.get(url)
    anonymous = Fetcher(FetchOptions(cache_path=tmp_path / "cache.sqlite", offline=True))
    with anonymous, pytest.raises(FetchError, match="not in the cache"):
        anonymous.get(url)


# --- reading the file ---------------------------------------------------------------------


def test_session_expiring_httponly_cookies_are_read(tmp_path):
    now = int(time.time())
    path = tmp_path / "cookies.txt"
    path.write_text(
        cookies_txt(
            "# a comment",
            "",
            cookie("icml.cc", "zero_expiry", "a", expires=0),  # curl, browser extensions
            cookie("icml.cc", "empty_expiry", "b", expires=""),
            "#HttpOnly_" + cookie(".icml.cc", "http_only", "c", expires=0),
            cookie("icml.cc", "later", "d", expires=now + 86400),
            cookie("icml.cc", "expired", "e", expires=now - 86400),
        )
    )
    jar = load_cookies(path)
    assert sorted(c.name for c in jar) == ["empty_expiry", "http_only", "later", "zero_expiry"]
    assert all(c.discard for c in jar if c.name != "later")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read {path}: No such file or directory"),
        ("folder", "cannot read {path}: Is a directory"),
        ('[{"name": "sessionid", "value": "SECRET"}]', "its first line must be"),
        (cookies_txt("icml.cc FALSE / FALSE 0 sessionid SECRET"), "a line is not a cookie"),
        (cookies_txt(cookie("icml.cc", "sessionid", "SECRET", expires="soon")), "not a cookie"),
        (cookies_txt(cookie("icml.cc", "s", "SECRET", subdomains="TRUE")), "not a cookie"),
        (b"\x89PNG\r\n\x1a\n\xff\xfe SECRET", "it is not text"),
        (cookies_txt("# nothing here"), "holds no cookies"),
        (cookies_txt(cookie("icml.cc", "s", "SECRET", expires=1)), "every cookie in {path} has"),
    ],
    ids=[
        "missing",
        "folder",
        "json export",
        "spaces, not tabs",
        "bad expiry",
        "dot and subdomains disagree",
        "binary",
        "empty",
        "all expired",
    ],
)
@pytest.mark.parametrize("command", ["scrape", "crawl"])
def test_a_bad_cookies_file_is_a_usage_error(tmp_path, capsys, content, message, command):
    path = tmp_path / "cookies.txt"
    if content == "folder":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    url = "http://127.0.0.1:9/virtual/2022/calendar"  # never fetched
    with warnings.catch_warnings(record=True) as warned, pytest.raises(SystemExit) as exited:
        warnings.simplefilter("always")  # cookiejar warns with a traceback about a bad line
        main([command, url, "--cookies", str(path), "-o", str(tmp_path / "out")])
    assert warned == []
    assert exited.value.code == 2
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert last.startswith(f"schedscrape {command}: error: argument --cookies: ")
    assert message.format(path=path) in last
    assert "SECRET" not in err and "Traceback" not in err and "Warning" not in err
    assert not (tmp_path / "out").exists()
    with pytest.raises(CookieFileError):
        load_cookies(path)


def test_requests_alone_would_send_a_host_only_cookie_to_subdomains(tmp_path):
    """Why the Fetcher keeps the cookies itself: requests copies a session's cookies into a
    jar with the lenient default policy before each request."""
    path = tmp_path / "cookies.txt"
    path.write_text(cookies_txt(cookie("icml.cc", "host_only", "1")))
    session = requests.Session()
    session.cookies.update(load_cookies(path))
    prepared = session.prepare_request(requests.Request("GET", "https://www.icml.cc/"))
    assert prepared.headers.get("Cookie") == "host_only=1"
