"""`scrape` and `crawl` against a real HTTP server on 127.0.0.1 that the tests start.

The server logs every request, so politeness is checked on what the site actually saw.
"""

import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import pandas as pd
import pytest
import requests_cache

from schedscrape.cli import main
from tests.conftest import forked_workers, run_crawl
from tests.fakesite import LOGIN_WALL, FakeSite, Fault, SiteConfig
from tests.tls import server_context, trusted_authority

YEAR = 2022


def crawl(site, tmp_path, *extra, out="out"):
    return run_crawl(tmp_path, f"{site.url}/virtual/{YEAR}/calendar", *extra, out=out)


def crawl_command(site, tmp_path, concurrency):
    """The crawl as a separate process, for the tests that kill it."""
    return [
        sys.executable,
        "-m",
        "schedscrape",
        "crawl",
        f"{site.url}/virtual/{YEAR}/calendar",
        "-o",
        str(tmp_path / "out"),
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--rate",
        "100",
        "--concurrency",
        str(concurrency),
    ]


def session_paths(site):
    return [path for path in site.paths() if "/session/" in path]


@pytest.fixture
def faulty_site():
    config = SiteConfig(
        sessions=[101, 102, 103, 104, 105, 106, 107, 108],
        robots="User-agent: *\nDisallow: /virtual/2022/session/108\n",
        faults={
            102: Fault(status=503, times=2),
            103: Fault(status=429, retry_after="1"),
            104: Fault(status=404, times=99),
            105: Fault(status=200, body=LOGIN_WALL, times=99),
            106: Fault(delay=0.5),
            107: Fault(
                status=302, location="/accounts/login?next=/virtual/2022/session/107", times=99
            ),
        },
    )
    with FakeSite(config) as site:
        yield site


def test_crawl_with_faults(faulty_site, tmp_path, capsys, workers):
    site = faulty_site
    assert crawl(site, tmp_path, "--rate", 10, "--retries", 3) == 1
    out = tmp_path / "out"
    sessions = pd.read_parquet(out / "sessions.parquet")
    assert sorted(sessions["session_id"]) == ["101", "102", "103", "106"]
    assert sessions["fetched_at"].notna().all()
    talks = pd.read_parquet(out / "talks.parquet")
    assert len(talks) == 4 * 5
    assert talks["url"].str.startswith(f"{site.url}/virtual/2022/poster/").all()

    errors = {
        e["source"].rsplit("/", 1)[-1]: e
        for e in map(json.loads, (out / "errors.jsonl").read_text().splitlines())
    }
    assert "HTTP 404" in errors["104"]["message"]
    assert "login required" in errors["105"]["message"]  # a login wall served with 200
    assert "login required" in errors["107"]["message"]  # a redirect to the login page
    assert "robots.txt" in errors["108"]["message"] and errors["108"]["stage"] == "robots"
    assert all(e["severity"] == "error" for e in errors.values())

    log = site.log
    # robots.txt obeyed: asked first, and the disallowed page never requested.
    assert log[0].path == "/robots.txt"
    assert "/virtual/2022/session/108" not in site.paths()
    # Nothing outside the conference-year or off-host: calendar, robots, this year's sessions.
    assert all(
        path in ("/robots.txt", "/virtual/2022/calendar")
        or path.startswith("/virtual/2022/session/")
        for path in site.paths()
    )
    # Rate limit: at most 10 requests in any second, so at least 0.1 s between requests.
    # Arrival times carry a little scheduling jitter (8 worker processes on a small machine),
    # hence the 50 ms of slack; the client itself spaces requests exactly 0.1 s apart.
    starts = [entry.time for entry in log]
    assert all(sum(1 for t in starts if s <= t < s + 0.95) <= 10 for s in starts)
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.05
    # Retry-After honoured: the 429'd page is asked again no sooner than 1 s later.
    times_103 = [e.time for e in log if e.path == "/virtual/2022/session/103"]
    assert len(times_103) == 2 and times_103[1] - times_103[0] >= 1.0
    # 503 retried, 404 not retried.
    assert session_paths(site).count("/virtual/2022/session/102") == 3
    assert session_paths(site).count("/virtual/2022/session/104") == 1
    assert all(e.user_agent.startswith("schedscrape/") for e in log)

    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert "8 pages (4 ok, 4 failed)" in summary and "requests" in summary


def test_rerun_within_max_age_makes_no_page_requests(tmp_path):
    with FakeSite(SiteConfig()) as site:
        assert crawl(site, tmp_path, "--rate", 50) == 0
        first = (tmp_path / "out" / "talks.json").read_text()
        before = len(site.log)
        assert crawl(site, tmp_path, "--rate", 50, out="again") == 0
        assert site.paths()[before:] == []
        assert (tmp_path / "again" / "talks.json").read_text() == first
        assert crawl(site, tmp_path, "--offline", out="offline") == 0
        assert site.paths()[before:] == []
        assert crawl(site, tmp_path, "--rate", 50, "--max-age", "0", out="stale") == 0
        assert len(session_paths(site)) == 10


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_bounds_the_requests_in_flight(tmp_path, concurrency, workers):
    """Workers beyond --concurrency parse; they never add requests to the site's load."""
    config = SiteConfig(sessions=list(range(101, 113)), latency=0.1)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--rate", 1000, "--concurrency", concurrency) == 0
    assert site.most_in_flight == concurrency


def test_scrape_given_urls(tmp_path):
    with FakeSite(SiteConfig()) as site:
        urls = [f"{site.url}/virtual/2022/session/{sid}" for sid in (101, 102, 999)]
        assert scrape(tmp_path, urls) == 1
        sessions = json.loads((tmp_path / "out" / "sessions.json").read_text())
        assert [s["session_id"] for s in sessions] == ["101", "102"]
        assert sessions[0]["url"] == urls[0] and sessions[0]["fetched_at"]
        assert sorted(session_paths(site)) == sorted(p.split(site.url)[1] for p in urls)


def scrape(tmp_path, urls, *extra):
    return main(
        [
            "scrape",
            *urls,
            "-o",
            str(tmp_path / "out"),
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--rate",
            "100",
            *map(str, extra),
        ]
    )


def outcome(tmp_path):
    """What a run wrote: the session ids, and each failed URL's error message."""
    out = tmp_path / "out"
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    problems = map(json.loads, (out / "errors.jsonl").read_text().splitlines())
    errors = [problem for problem in problems if problem["severity"] == "error"]
    by_source = {e["source"]: e["message"] for e in errors}
    assert len(by_source) == len(errors)  # one error for each failed page
    return sorted(s["url"] for s in sessions), by_source


def test_a_host_with_a_bad_certificate_fails_alone(tmp_path, monkeypatch, capsys, workers):
    authority = trusted_authority(tmp_path, monkeypatch)
    bad_tls = server_context(authority, "self-signed")
    with FakeSite(SiteConfig()) as good, FakeSite(SiteConfig(), tls=bad_tls) as bad:
        good_urls = [f"{good.url}/virtual/2022/session/{sid}" for sid in (101, 102)]
        bad_urls = [f"{bad.https_url}/virtual/2022/session/{sid}" for sid in (101, 102)]
        assert scrape(tmp_path, [bad_urls[0], *good_urls, bad_urls[1]]) == 1
    written, errors = outcome(tmp_path)
    assert written == good_urls
    assert sorted(errors) == bad_urls
    assert all(
        message.startswith("robots.txt unreachable (TLS certificate verification failed: ")
        for message in errors.values()
    )
    assert "Traceback" not in capsys.readouterr().err


def test_a_redirect_to_https_with_a_bad_certificate_fails_that_page(tmp_path, monkeypatch, workers):
    """http://host/page answers 301 to https://host/page, where the certificate is bad."""
    authority = trusted_authority(tmp_path, monkeypatch)
    with FakeSite(SiteConfig(), tls=server_context(authority, "expired")) as site:
        upgraded = f"{site.https_url}/virtual/2022/session/101"
        site.config.faults[101] = Fault(status=301, location=upgraded, times=99)
        urls = [f"{site.url}/virtual/2022/session/{sid}" for sid in (101, 102)]
        assert scrape(tmp_path, urls, "--retries", 2) == 1
    written, errors = outcome(tmp_path)
    assert written == urls[1:]
    assert errors == {urls[0]: "TLS certificate verification failed: certificate has expired"}
    assert site.paths().count("/virtual/2022/session/101") == 1  # the 301; TLS never retried


@pytest.mark.parametrize("target", ["https", "another site"])
def test_robots_txt_that_redirects(tmp_path, monkeypatch, workers, target):
    """http://host/robots.txt answers 301: to https://host/robots.txt, whose rules are obeyed,
    or to another site, which leaves the rules unknown, so nothing is fetched."""
    authority = trusted_authority(tmp_path, monkeypatch)
    config = SiteConfig(robots="User-agent: *\nDisallow: /virtual/2022/session/103\n")
    with FakeSite(config, tls=server_context(authority)) as site:
        elsewhere = f"http://localhost:{site.server.server_port}/robots.txt"
        config.robots_location = f"{site.https_url}/robots.txt" if target == "https" else elsewhere
        urls = [f"{site.url}/virtual/2022/session/{sid}" for sid in config.sessions]
        assert scrape(tmp_path, urls) == 1
    written, errors = outcome(tmp_path)
    if target == "https":
        assert site.paths()[:2] == ["/robots.txt", "/robots.txt"]  # http, then https
        assert "/virtual/2022/session/103" not in site.paths()
        assert written == [url for url in urls if not url.endswith("/103")]
        assert errors == {urls[2]: f"disallowed by {site.url}/robots.txt"}
    else:
        assert site.paths() == ["/robots.txt"]  # no page, and nothing from the other site
        assert written == []
        message = f"robots.txt redirects to another site ({elsewhere}); not crawling"
        assert errors == dict.fromkeys(urls, message)


def test_a_site_moved_to_www_is_crawled_there(tmp_path, monkeypatch, workers):
    """The entry page answers 301 to the same path on www.: the crawl follows it (a redirect
    within the site), reads www.'s own robots.txt, fetches every page from there, and keeps
    to --rate across both names."""
    resolve = socket.getaddrinfo

    def resolve_site(host, *args, **kwargs):  # inherited by forked workers
        return resolve(
            "127.0.0.1" if host in ("icml.test", "www.icml.test") else host, *args, **kwargs
        )

    monkeypatch.setattr(socket, "getaddrinfo", resolve_site)
    config = SiteConfig(
        robots="User-agent: *\nDisallow: /virtual/2022/session/105\n", home_host="www.icml.test"
    )
    with FakeSite(config) as site:
        port = site.server.server_port
        entry = f"http://icml.test:{port}/virtual/2022/calendar"
        assert run_crawl(tmp_path, entry, "--rate", 4, "--concurrency", 4) == 1
        asked = [(entry.host, entry.path) for entry in site.log]
        starts = sorted(entry.time for entry in site.log)
    out = tmp_path / "out"
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    assert sorted(s["session_id"] for s in sessions) == ["101", "102", "103", "104"]
    talks = json.loads((out / "talks.json").read_text(encoding="utf-8"))
    assert {t["url"].rsplit("/", 1)[0] for t in talks} == {
        f"http://www.icml.test:{port}/virtual/2022/poster"
    }
    (error,) = map(json.loads, (out / "errors.jsonl").read_text().splitlines())
    assert error["message"] == f"disallowed by http://www.icml.test:{port}/robots.txt"
    # Only robots.txt and the entry page were asked of icml.test; www.'s robots.txt was read
    # before anything else there, and the page it disallows was never asked.
    assert {path for host, path in asked if host == "icml.test"} == {
        "/robots.txt",
        "/virtual/2022/calendar",
    }
    on_www = [path for host, path in asked if host == "www.icml.test"]
    assert on_www[0] == "/robots.txt"
    assert sorted(p for p in on_www if "/session/" in p) == [
        f"/virtual/2022/session/{sid}" for sid in (101, 102, 103, 104)
    ]
    # Both names are one server's: --rate holds for the two together (0.25 s apart, less a
    # little scheduling jitter), not for each name.
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.2


def test_bad_certificate_drips_and_good_hosts_in_one_run(tmp_path, monkeypatch, capsys, workers):
    """Four hosts: one with a bad certificate, one whose robots.txt drips, one with dripping
    pages and one fine. Every good page is written, each bad one is one error, in bounded time."""
    authority = trusted_authority(tmp_path, monkeypatch)
    drips = {201: Fault(kind="drip"), 202: Fault(kind="drip_headers")}  # ids differ from fine's
    with (
        FakeSite(SiteConfig(), tls=server_context(authority, "self-signed")) as bad_tls,
        FakeSite(SiteConfig(robots_fault=Fault(kind="drip"))) as slow_robots,
        FakeSite(SiteConfig(sessions=[201, 202, 203], faults=drips)) as dripping,
        FakeSite(SiteConfig()) as fine,
    ):
        sites = {bad_tls: bad_tls.https_url, slow_robots: slow_robots.url}
        urls = {
            site: [f"{sites.get(site, site.url)}/virtual/2022/session/{sid}" for sid in ids]
            for site, ids in [
                (bad_tls, [101, 102]),
                (slow_robots, [101]),
                (dripping, [201, 202, 203]),
                (fine, SiteConfig().sessions),
            ]
        }
        started = time.monotonic()
        everything = [url for site_urls in urls.values() for url in site_urls]
        assert scrape(tmp_path, everything, "--timeout", 0.5, "--retries", 1) == 1
        elapsed = time.monotonic() - started
    written, errors = outcome(tmp_path)
    assert written == sorted(urls[fine] + urls[dripping][2:])
    deadline = "gave up after 2 attempts: response not complete within its deadline (2 s)"
    bad_certificate = (
        r"robots\.txt unreachable \(TLS certificate verification failed: "
        r"self.signed certificate\); not crawling"
    )
    expected = {
        **dict.fromkeys(urls[dripping][:2], re.escape(deadline)),
        **dict.fromkeys(
            urls[slow_robots], re.escape(f"robots.txt unreachable ({deadline}); not crawling")
        ),
        **dict.fromkeys(urls[bad_tls], bad_certificate),
    }
    assert sorted(errors) == sorted(expected)
    assert all(re.fullmatch(expected[url], message) for url, message in errors.items())
    assert "Traceback" not in capsys.readouterr().err
    # Two robots.txt attempts of 2 s, then two page attempts of 2 s, with a backoff between.
    assert elapsed < 20


def test_entry_without_sessions_is_an_error(tmp_path, capsys):
    with FakeSite(SiteConfig()) as site:
        code = main(
            [
                "crawl",
                f"{site.url}/virtual/2023/calendar",
                "-o",
                str(tmp_path / "o"),
                "--cache",
                str(tmp_path / "c.sqlite"),
            ]
        )
    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    entry = f"{site.url}/virtual/2023/calendar"
    assert err[0] == f"schedscrape: error: {entry}: HTTP 404 Not Found"
    assert err[1].startswith("schedscrape: 1 page (0 ok, 1 failed): 0 sessions") and len(err) == 2
    (error,) = map(json.loads, (tmp_path / "o" / "errors.jsonl").read_text().splitlines())
    assert error == {
        "source": entry,
        "stage": "fetch",
        "severity": "error",
        "message": "HTTP 404 Not Found",
    }


def test_offline_crawl_with_nothing_cached_says_how_to_fill_the_cache(tmp_path, capsys):
    with FakeSite(SiteConfig()) as site:
        assert crawl(site, tmp_path, "--offline") == 1
        assert site.log == []  # offline: the site never hears of it
        err = capsys.readouterr().err.strip().splitlines()
        entry = f"{site.url}/virtual/{YEAR}/calendar"
        message = (
            "not in the cache, and --offline never touches the network: "
            "run once without --offline to fill the cache"
        )
        assert err[0] == f"schedscrape: error: {entry}: {message}"
        _, errors = outcome(tmp_path)
        assert errors == {entry: message}
        # Doing what it says works.
        assert crawl(site, tmp_path, "--rate", 100) == 0
        assert crawl(site, tmp_path, "--offline", out="again") == 0


def test_kill_and_resume(tmp_path):
    """kill -9 mid-crawl; the re-run fetches only what the cache lacks and ends the same."""
    config = SiteConfig(sessions=list(range(201, 213)), latency=0.15)
    with FakeSite(config) as site:
        command = crawl_command(site, tmp_path, concurrency=2)
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, workers included
        )
        deadline = time.monotonic() + 30
        while len(session_paths(site)) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)  # the crawl and its worker processes
        process.wait()
        assert not (tmp_path / "out" / "talks.json").exists()

        cache = requests_cache.CachedSession(str(tmp_path / "cache.sqlite"), backend="sqlite")
        had = {url.split(site.url)[1] for url in cache.cache.urls() if "/session/" in url}
        cache.close()
        assert 1 <= len(had) < 12
        before = len(site.log)
        assert subprocess.run(command, check=False, capture_output=True).returncode == 0
        refetched = [p for p in site.paths()[before:] if "/session/" in p]
        assert not set(refetched) & had
        assert sorted(set(refetched) | had) == sorted(
            f"/virtual/{YEAR}/session/{sid}" for sid in config.sessions
        )

        resumed = (tmp_path / "out" / "talks.json").read_text()
        assert (
            crawl(site, tmp_path, "--rate", 100, "--fresh", "--refresh", out="uninterrupted") == 0
        )
        assert (tmp_path / "uninterrupted" / "talks.json").read_text() == resumed


@forked_workers
def test_workers_die_with_a_killed_crawl(tmp_path):
    config = SiteConfig(sessions=list(range(301, 341)), latency=0.3)
    with FakeSite(config) as site:
        command = crawl_command(site, tmp_path, concurrency=4)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while len(session_paths(site)) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        children = subprocess.run(
            ["pgrep", "-P", str(process.pid)], capture_output=True, text=True
        ).stdout.split()
        assert children  # the worker processes
        process.kill()  # kill -9 of the crawl alone, not its process group
        process.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in children)


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    fields = stat.read().rsplit(") ", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(") ", 1)[1][0] != "Z"  # a zombie has exited
    except OSError:
        return False
