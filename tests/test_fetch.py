"""The fetcher's unit behaviour, replayed with `responses` (no network, no real sleeping)."""

import sqlite3
import time
from datetime import timedelta

import pytest
import requests
import responses

from schedscrape.fetch import (
    CacheError,
    Fetcher,
    FetchError,
    FetchOptions,
    LoginRedirect,
    RobotsDisallowed,
)

SITE = "https://icml.cc"
PAGE = f"{SITE}/virtual/2022/session/101"
HTML = b"<html><body>session</body></html>"


@pytest.fixture
def sleeps(monkeypatch):
    """Record every sleep instead of waiting it out."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


@pytest.fixture
def fetcher(tmp_path, sleeps):
    def make(**options) -> Fetcher:
        options.setdefault("cache_path", tmp_path / "cache.sqlite")
        options.setdefault("rate", 1000.0)
        return Fetcher(FetchOptions(**options))

    return make


def robots(text: str = "User-agent: *\nDisallow: /private/\n", status: int = 200) -> None:
    responses.get(f"{SITE}/robots.txt", body=text, status=status)


@responses.activate
def test_honest_user_agent_and_tls(fetcher):
    robots()
    responses.get(PAGE, body=HTML, content_type="text/html; charset=utf-8")
    client = fetcher()
    page = client.get(PAGE)
    assert page.content == HTML and page.encoding == "utf-8" and not page.from_cache
    agent = responses.calls[-1].request.headers["User-Agent"]
    assert agent.startswith("schedscrape/") and "https://" in agent
    assert "Mozilla" not in agent
    assert client.session.verify is not False  # True, or a CA bundle from the environment


@responses.activate
def test_custom_user_agent_keeps_our_name(fetcher):
    robots()
    responses.get(PAGE, body=HTML)
    fetcher(user_agent="lab-crawler (mailto:me@example.org)").get(PAGE)
    agent = responses.calls[-1].request.headers["User-Agent"]
    assert agent.startswith("lab-crawler (mailto:me@example.org) schedscrape/")


@responses.activate
def test_5xx_is_retried_with_growing_backoff(fetcher, sleeps):
    robots()
    for _ in range(3):
        responses.get(PAGE, status=503)
    responses.get(PAGE, body=HTML)
    client = fetcher(backoff=0.5)
    assert client.get(PAGE).content == HTML
    assert client.stats.retries == 3
    backoffs = [s for s in sleeps if s >= 0.5]
    assert len(backoffs) == 3 and backoffs[2] > backoffs[0]


@responses.activate
def test_429_waits_for_retry_after_seconds(fetcher, sleeps):
    robots()
    responses.get(PAGE, status=429, headers={"Retry-After": "7"})
    responses.get(PAGE, body=HTML)
    assert fetcher(backoff=0.1).get(PAGE).content == HTML
    assert max(sleeps) >= 7


@responses.activate
def test_retry_after_as_http_date(fetcher, sleeps):
    robots()
    responses.get(PAGE, status=503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    responses.get(PAGE, body=HTML)
    assert fetcher(backoff=0.25).get(PAGE).content == HTML
    assert 0.25 <= max(sleeps) < 5  # a date in the past: no wait beyond the backoff


@responses.activate
def test_retry_after_too_long_gives_up(fetcher):
    robots()
    responses.get(PAGE, status=429, headers={"Retry-After": "86400"})
    with pytest.raises(FetchError, match=r"retry after \d+ s; giving up"):
        fetcher().get(PAGE)


@responses.activate
def test_exhausted_retries_report_the_status(fetcher):
    robots()
    responses.get(PAGE, status=502)
    with pytest.raises(FetchError, match="HTTP 502"):
        fetcher(retries=2, backoff=0.01).get(PAGE)
    assert sum(call.request.url == PAGE for call in responses.calls) == 3


@responses.activate
@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_are_never_retried(fetcher, status):
    robots()
    responses.get(PAGE, status=status)
    with pytest.raises(FetchError, match=f"HTTP {status}"):
        fetcher().get(PAGE)
    assert sum(call.request.url == PAGE for call in responses.calls) == 1


@responses.activate
def test_connection_errors_are_retried_then_reported(fetcher):
    robots()
    responses.get(PAGE, body=requests.exceptions.ConnectionError("connection reset"))
    with pytest.raises(FetchError, match="gave up after 3 attempts"):
        fetcher(retries=2, backoff=0.01).get(PAGE)


@responses.activate
def test_same_host_redirect_is_followed(fetcher):
    robots()
    responses.get(PAGE, status=301, headers={"Location": "/virtual/2022/session/102"})
    responses.get(f"{SITE}/virtual/2022/session/102", body=HTML)
    page = fetcher().get(PAGE)
    assert page.url == f"{SITE}/virtual/2022/session/102"


@responses.activate
def test_redirect_to_login_is_login_required(fetcher):
    robots()
    responses.get(PAGE, status=302, headers={"Location": "/accounts/login?next=/virtual/2022"})
    with pytest.raises(LoginRedirect, match="login required"):
        fetcher().get(PAGE)


@responses.activate
@pytest.mark.parametrize(
    "location",
    ["https://evil.example/page", "https://cdn.icml.cc/virtual/2022/session/101"],
)
def test_redirect_to_another_site_is_refused(fetcher, location):
    robots()
    responses.get(PAGE, status=302, headers={"Location": location})
    with pytest.raises(FetchError, match=f"^redirect to another site refused: {location}$"):
        fetcher().get(PAGE)
    assert location not in [call.request.url for call in responses.calls]


@responses.activate
def test_a_redirect_to_www_is_followed_under_that_hosts_robots_txt(fetcher):
    """icml.cc and www.icml.cc are one site: the page is fetched from where it moved, and
    that host's own robots.txt is read and obeyed first."""
    moved = "https://www.icml.cc/virtual/2022/session/101"
    robots()
    responses.get(PAGE, status=301, headers={"Location": moved})
    responses.get("https://www.icml.cc/robots.txt", body="User-agent: *\nDisallow: /private/\n")
    responses.get(moved, body=HTML)
    page = fetcher().get(PAGE)
    assert (page.url, page.content) == (moved, HTML)
    assert [call.request.url for call in responses.calls] == [
        f"{SITE}/robots.txt",
        PAGE,
        "https://www.icml.cc/robots.txt",
        moved,
    ]


@responses.activate
def test_a_www_robots_txt_that_fails_is_asked_once_not_for_every_page(fetcher):
    """www. is reached only through redirects, so it is not loaded ahead of its pages: its
    robots.txt failing must fail each page at once, not be asked again for each."""
    robots()
    responses.get("https://www.icml.cc/robots.txt", body="down", status=503)
    pages = [f"{SITE}/virtual/2022/session/{sid}" for sid in (101, 102, 103)]
    for page in pages:
        responses.get(
            page, status=301, headers={"Location": page.replace(SITE, "https://www.icml.cc")}
        )
    client = fetcher(retries=2)
    for page in pages:
        with pytest.raises(RobotsDisallowed) as raised:
            client.get(page)
        assert str(raised.value) == "robots.txt answered HTTP 503; not crawling"
    asked = [call.request.url for call in responses.calls]
    assert asked.count("https://www.icml.cc/robots.txt") == 3  # once, with its 2 retries


@responses.activate
def test_rules_read_elsewhere_win_over_a_robots_txt_that_failed_here(fetcher):
    """A worker process failed to read www.'s robots.txt (a 503 after a redirect); the parent
    read it fine later and passes it down: the worker uses it from then on."""
    robots()
    responses.get("https://www.icml.cc/robots.txt", body="down", status=503)
    client = fetcher()
    moved = "https://www.icml.cc/virtual/2022/session/101"
    with pytest.raises(RobotsDisallowed, match="answered HTTP 503"):
        client.check_robots(moved)
    client.preload_robots("www.icml.cc", "User-agent: *\nDisallow: /private/\n")
    client.check_robots(moved)  # allowed now
    with pytest.raises(RobotsDisallowed, match=r"^disallowed by https://www\.icml\.cc/robots\.txt$"):
        client.check_robots("https://www.icml.cc/private/1")


@responses.activate
def test_a_page_moved_to_www_is_replayed_offline_from_the_cache(fetcher):
    moved = "https://www.icml.cc/virtual/2022/session/101"
    robots()
    responses.get(PAGE, status=301, headers={"Location": moved})
    responses.get("https://www.icml.cc/robots.txt", status=404)
    responses.get(moved, body=HTML)
    fetcher().get(PAGE)
    requests_made = len(responses.calls)
    page = fetcher(offline=True).get(PAGE)
    assert (page.url, page.content, page.from_cache) == (moved, HTML, True)
    assert len(responses.calls) == requests_made  # nothing more went out


@responses.activate
def test_a_redirect_to_www_is_not_followed_where_its_robots_txt_disallows_it(fetcher):
    moved = "https://www.icml.cc/virtual/2022/session/101"
    robots()
    responses.get(PAGE, status=301, headers={"Location": moved})
    responses.get("https://www.icml.cc/robots.txt", body="User-agent: *\nDisallow: /virtual/\n")
    with pytest.raises(RobotsDisallowed, match=r"^disallowed by https://www\.icml\.cc/robots"):
        fetcher().get(PAGE)
    assert moved not in [call.request.url for call in responses.calls]


@responses.activate
def test_robots_disallow_skips_the_page(fetcher):
    robots("User-agent: *\nDisallow: /virtual/2022/session/\n")
    responses.get(PAGE, body=HTML)
    with pytest.raises(RobotsDisallowed, match=r"robots\.txt"):
        fetcher().get(PAGE)
    assert [call.request.url for call in responses.calls] == [f"{SITE}/robots.txt"]


@responses.activate
@pytest.mark.parametrize(
    ("start", "hops"),
    [
        ("http://icml.cc", ["https://icml.cc/robots.txt"]),  # to https
        ("https://icml.cc", ["https://www.icml.cc/robots.txt"]),  # to www.
        ("https://www.icml.cc", ["https://icml.cc/robots.txt"]),  # from www.
        ("http://icml.cc", ["/robots-moved.txt", "https://www.icml.cc:443/robots.txt"]),
    ],
)
def test_robots_redirect_within_the_site_is_followed(fetcher, start, hops):
    page = f"{start}/virtual/2022/session/101"
    current = f"{start}/robots.txt"
    for hop in hops:
        responses.get(current, status=301, headers={"Location": hop})
        current = hop if hop.startswith("http") else f"{start}{hop}"
    responses.get(current, body="User-agent: *\nDisallow: /virtual/2022/session/\n")
    responses.get(page, body=HTML)
    with pytest.raises(RobotsDisallowed, match=rf"^disallowed by {start}/robots\.txt$"):
        fetcher().get(page)
    assert page not in [call.request.url for call in responses.calls]


@responses.activate
@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("https://robots.example.org/icml.txt", "another site"),
        ("https://cdn.icml.cc/robots.txt", "another site"),
        ("ftp://icml.cc/robots.txt", "another site"),
        (f"{SITE}/robots.txt", "too many redirects"),  # a loop
    ],
)
def test_robots_redirect_off_the_site_means_not_crawling(fetcher, location, reason):
    responses.get(f"{SITE}/robots.txt", status=302, headers={"Location": location})
    responses.get(PAGE, body=HTML)
    with pytest.raises(RobotsDisallowed) as raised:
        fetcher().get(PAGE)
    assert (
        str(raised.value)
        == {
            "another site": f"robots.txt redirects to another site ({location}); not crawling",
            "too many redirects": "robots.txt unreachable (too many redirects (more than 5)); "
            "not crawling",
        }[reason]
    )
    # Neither the page nor another site was asked for anything.
    assert {call.request.url for call in responses.calls} == {f"{SITE}/robots.txt"}


@responses.activate
def test_missing_robots_allows_and_ignore_robots_skips_it(fetcher):
    robots(status=404)
    responses.get(PAGE, body=HTML)
    assert fetcher().get(PAGE).content == HTML
    responses.calls.reset()
    assert fetcher(obey_robots=False, refresh=True).get(PAGE).content == HTML
    assert [call.request.url for call in responses.calls] == [PAGE]


@responses.activate
def test_crawl_delay_slows_the_host_down(fetcher, sleeps):
    robots("User-agent: *\nCrawl-delay: 3\n")
    responses.get(PAGE, body=HTML)
    responses.get(f"{SITE}/virtual/2022/session/102", body=HTML)
    client = fetcher()
    client.get(PAGE)
    client.get(f"{SITE}/virtual/2022/session/102")
    assert max(sleeps) > 2.5


@responses.activate
def test_size_cap(fetcher):
    robots()
    responses.get(PAGE, body=b"x" * 2000)
    with pytest.raises(FetchError, match="too large"):
        fetcher(max_bytes=1000).get(PAGE)


@responses.activate
def test_a_data_file_gets_the_larger_cap(fetcher):
    """A site's feed runs to tens of MB: a .json or .csv address may be as large as the
    parser reads; a page may not."""
    robots()
    feed = f"{SITE}/static/virtual/data/icml-2022-orals-posters.JSON"
    responses.get(PAGE, body=b"x" * 2000)
    responses.get(feed, body=b"[" + b" " * 2000 + b"]")
    responses.get(f"{SITE}/big.csv", body=b"x" * 6000)
    client = fetcher(max_bytes=1000, max_data_bytes=5000)
    assert len(client.get(feed).content) == 2002
    with pytest.raises(FetchError, match="too large"):
        client.get(PAGE)
    with pytest.raises(FetchError, match="too large"):
        client.get(f"{SITE}/big.csv")


@responses.activate
def test_cache_reuse_offline_and_max_age(fetcher):
    robots()
    responses.get(PAGE, body=HTML)
    first = fetcher()
    first.get(PAGE)
    first.close()
    responses.calls.reset()
    again = fetcher()
    page = again.get(PAGE)
    assert page.from_cache and again.stats.cache_hits == 1 and len(responses.calls) == 0
    offline = fetcher(offline=True)
    assert offline.get(PAGE).content == HTML
    with pytest.raises(FetchError, match="offline"):
        offline.get(f"{SITE}/virtual/2022/session/999")
    assert len(responses.calls) == 0
    expired = fetcher(max_age=timedelta(seconds=0))
    expired.get(PAGE)
    assert any(call.request.url == PAGE for call in responses.calls)


@responses.activate
def test_refresh_revalidates_with_etag(fetcher):
    robots()
    responses.get(PAGE, body=HTML, headers={"ETag": '"v1"'})
    fetcher().get(PAGE)
    responses.calls.reset()
    responses.replace(responses.GET, PAGE, status=304, headers={"ETag": '"v1"'})
    page = fetcher(refresh=True).get(PAGE)
    assert page.content == HTML
    page_calls = [call for call in responses.calls if call.request.url == PAGE]
    assert page_calls and page_calls[0].request.headers.get("If-None-Match") == '"v1"'


@responses.activate
def test_a_failing_cache_is_one_clear_error(fetcher, monkeypatch):
    robots()
    responses.get(PAGE, body=HTML)
    client = fetcher()

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(client.session.cache, "save_response", disk_full)
    with pytest.raises(CacheError, match=r"^HTTP cache failed \(database or disk is full\)$"):
        client.get(PAGE)
