"""The fetcher against a local server that misbehaves: each fault ends in one clear error (or
a correct page), within bounded time and memory, and the crawl goes on."""

import errno
import json
import socket
import subprocess
import sys
import time

import pytest

from schedscrape.cli import main
from schedscrape.fetch import Fetcher, FetchError, FetchOptions
from tests.fakesite import FakeSite, Fault, SiteConfig, session_page
from tests.tls import BAD_CERTIFICATES, server_context, trusted_authority

UTF8_PAGE = session_page(2022, 106, 2).replace(b"Ada Lovelace", "Ingo Gühring".encode())
FAULTS = {
    101: Fault(kind="reset"),
    102: Fault(kind="short"),
    103: Fault(kind="hang"),
    104: Fault(status=302, location="/virtual/2022/session/105", times=99),
    105: Fault(status=302, location="/virtual/2022/session/104", times=99),
    106: Fault(status=200, body=UTF8_PAGE, content_type="text/html; charset=iso-8859-1", times=99),
    107: Fault(kind="gzip_bomb"),
    # 108 answers normally
    109: Fault(kind="drip"),  # a byte every 0.1 s: never a read timeout
    110: Fault(kind="drip_headers"),
}


@pytest.fixture(scope="module")
def site():
    config = SiteConfig(sessions=list(range(101, 111)), faults=FAULTS)
    with FakeSite(config) as running:
        yield running


def fetcher(tmp_path, **options):
    options = {
        "cache_path": tmp_path / "cache.sqlite",
        "rate": 1000.0,
        "retries": 1,
        "backoff": 0.05,
        "timeout": 1.0,
        **options,
    }
    return Fetcher(FetchOptions(**options))


def url(site, session_id):
    return f"{site.url}/virtual/2022/session/{session_id}"


@pytest.mark.parametrize(
    ("session_id", "message"),
    [
        # connection reset mid-body, retried once
        (101, "gave up after 2 attempts: Connection broken: ConnectionResetError"),
        # shorter than its Content-Length
        (102, r"gave up after 2 attempts: Connection broken: IncompleteRead\(1012 bytes read"),
        # never answers: the timeout fires
        (103, r"gave up after 2 attempts: Read timed out. \(read timeout=1.0\)$"),
        (104, "too many redirects"),
    ],
)
def test_fault_ends_in_one_clear_error(site, tmp_path, session_id, message):
    started = time.monotonic()
    with pytest.raises(FetchError, match=f"^{message}") as raised:
        fetcher(tmp_path).get(url(site, session_id))
    assert "\n" not in str(raised.value)
    assert time.monotonic() - started < 10


@pytest.mark.parametrize("session_id", [109, 110])
def test_dripping_answer_hits_the_deadline(site, tmp_path, session_id):
    """Each read gets its byte within the 0.5 s timeout; the whole answer gets 4 x 0.5 s."""
    started = time.monotonic()
    client = fetcher(tmp_path, timeout=0.5, retries=1)
    with pytest.raises(FetchError) as raised:
        client.get(url(site, session_id))
    assert str(raised.value) == (
        "gave up after 2 attempts: response not complete within its deadline (2 s)"
    )
    assert 4 <= time.monotonic() - started < 6


def test_refused_connection_is_one_clear_error(tmp_path):
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    with pytest.raises(FetchError) as raised:
        fetcher(tmp_path, retries=0).get(f"http://127.0.0.1:{port}/virtual/2022/session/1")
    assert str(raised.value) == (
        "robots.txt unreachable (gave up after 1 attempt: Failed to establish a new connection: "
        f"[Errno {errno.ECONNREFUSED}] Connection refused); not crawling"
    )


def test_gzip_bomb_is_stopped_at_the_size_cap(site, tmp_path):
    # In a child process, so its peak memory is the client's alone.
    script = f"""
import resource, sys
from pathlib import Path
from schedscrape.fetch import Fetcher, FetchError, FetchOptions
client = Fetcher(FetchOptions(cache_path=Path({str(tmp_path / "c.sqlite")!r}), rate=1000.0,
                              max_bytes=2 * 1024 * 1024, retries=0))
try:
    client.get({url(site, 107)!r})
except FetchError as exc:
    print(exc)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

    def run(code: str) -> list[str]:
        return (
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
            )
            .stdout.strip()
            .splitlines()
        )

    message, peak_kib = run(script)
    (baseline_kib,) = run(script.replace("    client.get(", "    pass  # client.get("))
    assert "too large" in message
    # The bomb unpacks to 64 MB; the client grows by little more than the 2 MB cap.
    assert int(peak_kib) - int(baseline_kib) < 16 * 1024


def test_wrong_charset_header_is_survived(site, tmp_path):
    from schedscrape import parse_page

    page = fetcher(tmp_path).get(url(site, 106))
    assert page.encoding == "iso-8859-1"
    parsed = parse_page(page.content, url=page.url, encoding=page.encoding)
    assert parsed.talks[0].authors[0] == "Ingo Gühring"


def test_crawl_through_all_faults(site, tmp_path, capsys):
    started = time.monotonic()
    code = main(
        [
            "crawl",
            f"{site.url}/virtual/2022/calendar",
            "-o",
            str(tmp_path / "out"),
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--rate",
            "1000",
            "--retries",
            "1",
            "--timeout",
            "0.5",
            "--concurrency",
            "8",
        ]
    )
    elapsed = time.monotonic() - started
    assert code == 1
    sessions = json.loads((tmp_path / "out" / "sessions.json").read_text(encoding="utf-8"))
    assert sorted(s["session_id"] for s in sessions) == ["106", "108"]
    errors = [
        json.loads(line)
        for line in (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(e["source"].rsplit("/", 1)[1] for e in errors) == [
        "101",
        "102",
        "103",
        "104",
        "105",
        "107",
        "109",
        "110",
    ]
    assert "Traceback" not in capsys.readouterr().err
    assert elapsed < 15  # the drips end at their deadline: 2 attempts of 2 s, side by side


@pytest.mark.parametrize(("kind", "reason"), BAD_CERTIFICATES.items())
def test_bad_certificate_is_one_clear_error_never_retried(tmp_path, monkeypatch, kind, reason):
    authority = trusted_authority(tmp_path, monkeypatch)
    with FakeSite(SiteConfig(), tls=server_context(authority, kind)) as site:
        client = fetcher(tmp_path, retries=3, obey_robots=False)
        with pytest.raises(FetchError, match=f"^TLS certificate verification failed: .*{reason}"):
            client.get(f"{site.https_url}/virtual/2022/session/101")
    assert client.stats.requests == 1 and client.stats.retries == 0  # it would not mend
    assert client.session.verify == str(tmp_path / "trusted-ca.pem")


def test_good_certificate_is_fetched(tmp_path, monkeypatch):
    """The control for the test above: the same server with a certificate the client trusts."""
    authority = trusted_authority(tmp_path, monkeypatch)
    with FakeSite(SiteConfig(), tls=server_context(authority)) as site:
        page = fetcher(tmp_path).get(f"{site.https_url}/virtual/2022/session/101")
    assert page.content == site._pages[101]
