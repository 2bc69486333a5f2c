"""`crawl ENTRY...`: several conference-years in one run, hosts in parallel, each at its own
rate, and `--dry-run`. Politeness is measured on what the local sites saw."""

import itertools
import json

import pandas as pd

from tests.conftest import run_crawl as crawl
from tests.fakesite import FakeSite, SiteConfig


def calendar(site, year=2022):
    return f"{site.url}/virtual/{year}/calendar"


def gaps(site):
    times = [entry.time for entry in site.log]
    return [b - a for a, b in itertools.pairwise(times)]


def test_two_sites_take_the_time_of_one_each_at_its_own_rate(tmp_path, capsys, workers):
    rate, sessions, other_sessions = 5, list(range(101, 109)), list(range(201, 209))
    interval = 1 / rate
    with (
        FakeSite(SiteConfig(sessions=sessions)) as one,
        FakeSite(SiteConfig(sessions=other_sessions)) as two,
    ):
        assert crawl(tmp_path, calendar(one), calendar(two), "--rate", rate) == 0
    for site in (one, two):
        assert len(site.log) == 2 + len(sessions)  # robots.txt, the calendar, the sessions
        # Each host's rate kept, as the host saw it (a little scheduling jitter allowed).
        assert min(gaps(site)) >= interval - 0.03
    # One host alone needs 9 intervals; one after the other, the two would need 19.
    one_alone = (len(one.log) - 1) * interval
    both = max(site.log[-1].time for site in (one, two)) - min(
        site.log[0].time for site in (one, two)
    )
    assert both < 1.3 * one_alone
    sessions_written = pd.read_parquet(tmp_path / "out" / "sessions.parquet")
    assert sorted(sessions_written["url"].str.split("/virtual").str[0].unique()) == sorted(
        [one.url, two.url]
    )
    assert len(sessions_written) == 2 * len(sessions)
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-3:-1] == [
        f"schedscrape: {calendar(site)}: 8 session pages: 8 ok, 0 failed" for site in (one, two)
    ]
    assert err[-1].startswith("schedscrape: 16 pages (16 ok, 0 failed): 16 sessions")


def test_a_slow_host_never_holds_up_a_fast_one(tmp_path, workers):
    """A host that must be waited for (Crawl-delay: 1) holds neither a place in flight nor
    the workers: the fast host's pages all go while the slow one waits."""
    slow_config = SiteConfig(
        sessions=[101, 102, 103, 104], robots="User-agent: *\nCrawl-delay: 1\n"
    )
    fast_config = SiteConfig(sessions=list(range(201, 213)))
    with FakeSite(slow_config) as slow, FakeSite(fast_config) as fast:
        code = crawl(tmp_path, calendar(slow), calendar(fast), "--rate", 50, "--concurrency", 2)
    assert code == 0
    assert min(gaps(slow)) >= 1 - 0.03  # its Crawl-delay, kept
    slow_span = slow.log[-1].time - slow.log[0].time
    fast_span = fast.log[-1].time - fast.log[0].time
    assert slow_span >= 4.9  # robots.txt, then 5 pages a second apart
    assert fast_span < 1  # 14 requests at 50 a second, never waiting for the slow host


def test_failing_entries_are_named_and_the_others_crawled(tmp_path, capsys, workers):
    refusing = SiteConfig(robots="User-agent: *\nDisallow: /\n")
    with (
        FakeSite(SiteConfig()) as good,
        FakeSite(SiteConfig(sessions=[201])) as other,
        FakeSite(refusing) as closed,
    ):
        missing = f"{other.url}/virtual/2023/calendar"  # 404
        empty = f"{other.url}/virtual/2022/session/201"  # a page that links no session
        entries = [calendar(good), missing, empty, calendar(closed)]
        assert crawl(tmp_path, *entries, "--rate", 100) == 1
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").open()]
    by_source = {error["source"]: error for error in errors}
    assert len(errors) == 3 and set(by_source) == {missing, empty, calendar(closed)}
    assert by_source[missing]["message"] == "HTTP 404 Not Found"
    assert by_source[empty]["message"] == (f"no session links or events lists for 2022 on {empty}")
    assert by_source[empty]["stage"] == "discover"
    assert by_source[calendar(closed)]["message"] == f"disallowed by {closed.url}/robots.txt"
    sessions = pd.read_parquet(tmp_path / "out" / "sessions.parquet")
    assert len(sessions) == 5 and sessions["url"].str.startswith(good.url).all()
    err = capsys.readouterr().err
    assert f"schedscrape: {missing}: entry page failed: HTTP 404 Not Found\n" in err
    assert f"schedscrape: {calendar(good)}: 5 session pages: 5 ok, 0 failed\n" in err
    assert "Traceback" not in err


def test_dry_run_lists_every_session_and_fetches_none(tmp_path, capsys):
    robots = "User-agent: *\nDisallow: /virtual/2022/session/103\n"
    with (
        FakeSite(SiteConfig(robots=robots)) as one,
        FakeSite(SiteConfig(sessions=[7, 8])) as two,
    ):
        missing = f"{two.url}/virtual/2023/calendar"
        code = crawl(tmp_path, calendar(one), missing, calendar(two), "--dry-run", "--rate", 100)
    assert code == 1  # an entry failed
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        *(f"{one.url}/virtual/2022/session/{sid}" for sid in (101, 102, 104, 105)),
        *(f"{two.url}/virtual/2022/session/{sid}" for sid in (7, 8)),
    ]
    assert err.splitlines() == [
        f"schedscrape: error: {missing}: HTTP 404 Not Found",
        f"schedscrape: {calendar(one)}: 4 session pages; 1 disallowed by robots.txt, not listed",
        f"schedscrape: {calendar(two)}: 2 session pages",
    ]
    assert one.paths() == ["/robots.txt", "/virtual/2022/calendar"]
    assert two.paths()[0] == "/robots.txt"
    assert sorted(two.paths()[1:]) == ["/virtual/2022/calendar", "/virtual/2023/calendar"]
    assert not (tmp_path / "out").exists()


def test_dry_run_of_good_entries_exits_0(tmp_path, capsys):
    with FakeSite(SiteConfig()) as site:
        assert crawl(tmp_path, "--dry-run", calendar(site), "--rate", 100) == 0
    assert len(capsys.readouterr().out.splitlines()) == 5
    assert not (tmp_path / "out").exists()


def test_quiet_crawl_says_each_entrys_line_and_the_summary_only(tmp_path, capsys):
    with FakeSite(SiteConfig()) as good, FakeSite(SiteConfig(sessions=[201])) as other:
        missing = f"{other.url}/virtual/2023/calendar"
        assert crawl(tmp_path, calendar(good), missing, "--rate", 100, "--quiet") == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:2] == [
        f"schedscrape: {calendar(good)}: 5 session pages: 5 ok, 0 failed",
        f"schedscrape: {missing}: entry page failed: HTTP 404 Not Found",
    ]
    assert len(err) == 3 and err[2].startswith("schedscrape: 6 pages (5 ok, 1 failed)")


def test_verbose_crawl_says_what_each_entry_page_links(tmp_path, capsys):
    with FakeSite(SiteConfig()) as site:
        assert crawl(tmp_path, calendar(site), "--rate", 100, "--verbose") == 0
    err = capsys.readouterr().err
    assert f"schedscrape: ok: {calendar(site)}: 5 session pages\n" in err
    assert f"schedscrape: ok: {site.url}/virtual/2022/session/101: 5 talks\n" in err
