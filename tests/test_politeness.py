"""The rate limit and bound on requests in flight, for threads and for worker processes: each
host has its own schedule, and a host that must be waited for holds no place in flight."""

import multiprocessing
import threading
import time

import pytest

from schedscrape.fetch import RateLimiter, SharedRateLimiter
from schedscrape.links import same_site, site_of


@pytest.fixture(params=["threads", "processes"])
def make_limiter(request):
    if request.param == "threads":
        return RateLimiter
    return lambda interval, places: SharedRateLimiter(
        interval, places, multiprocessing.get_context("fork")
    )


def sent_at(limiter, hosts: list[str]) -> dict[str, list[float]]:
    """Send one request per item of `hosts` at once, each from its own thread; when each went."""
    times: dict[str, list[float]] = {host: [] for host in hosts}
    start = time.monotonic()

    def send(host: str) -> None:
        with limiter.request(host):
            times[host].append(time.monotonic() - start)

    threads = [threading.Thread(target=send, args=(host,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {host: sorted(found) for host, found in times.items()}


def test_each_host_keeps_its_own_schedule(make_limiter):
    times = sent_at(make_limiter(0.2, 4), ["a", "b"] * 3)
    for host in "ab":
        assert [round(t, 1) for t in times[host]] == [0.0, 0.2, 0.4]  # not 0.0 ... 1.0


def test_the_names_of_one_site_share_its_schedule(make_limiter):
    """Redirects are followed within a site (`same_site`), so every name of it waits its turn
    in one schedule; another port is another server."""
    names = ["icml.cc", "www.icml.cc", "WWW.icml.cc:443", "icml.cc.", "user@www.icml.cc:80"]
    assert all(same_site(f"https://{name}/", "https://icml.cc/") for name in names)
    assert {site_of(name) for name in names} == {"icml.cc"}
    assert site_of("127.0.0.1:8001") != site_of("127.0.0.1:8002")
    times = sent_at(make_limiter(0.2, 5), names)
    assert sorted(round(t, 1) for found in times.values() for t in found) == [
        0.0,
        0.2,
        0.4,
        0.6,
        0.8,
    ]


def test_a_host_waited_for_holds_no_place_in_flight(make_limiter):
    """One place in flight: the slow host's next requests wait for their slots without it,
    so the other host's requests all go at once."""
    limiter = make_limiter(0.01, 1)
    limiter.slow_down("slow", 1.0)
    times = sent_at(limiter, ["slow", "slow", "fast", "fast", "fast"])
    assert times["fast"][-1] < 0.5
    assert times["slow"][1] - times["slow"][0] >= 0.99


def test_a_crawl_delay_applies_from_the_next_request(make_limiter):
    limiter = make_limiter(0.01, 4)
    with limiter.request("host"):  # robots.txt
        pass
    limiter.slow_down("host", 0.5)
    started = time.monotonic()
    with limiter.request("host"):
        waited = time.monotonic() - started
    assert waited >= 0.45
