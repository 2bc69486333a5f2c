"""Crawling a 2026-style site: an entry page that links the year's events lists and no session,
lists whose times name no zone, and event detail pages that print an offset (`-03`)."""

import itertools
import json
import time
from datetime import datetime, timedelta, timezone

import pytest

import tests.fakesite as fakesite
from tests.conftest import run_crawl
from tests.fakesite import FakeSite, Fault, SiteConfig, event_slot, feed_file

LISTS = {"oral": [61001, 61002, 61003], "poster": [62001, 62002]}
EVENTS = [event for ids in LISTS.values() for event in ids]
LIST_PATHS = ["/virtual/2026/events/oral", "/virtual/2026/events/poster"]
FEED = "/static/virtual/data/iclr-2026-orals-posters.json"
RIO = timezone(timedelta(hours=-3))



@pytest.fixture
def site():
    with FakeSite(SiteConfig(year=2026, sessions=[], events_lists=LISTS)) as running:
        yield running


def crawl(site, tmp_path, *extra, out="out", entries=("/virtual/2026/calendar",)):
    entry_urls = [site.url + path for path in entries]
    return run_crawl(tmp_path, *entry_urls, "--rate", 50, *extra, out=out)


def table(tmp_path, name, out="out"):
    return json.loads((tmp_path / out / f"{name}.json").read_text(encoding="utf-8"))


def problems(tmp_path, out="out"):
    return [json.loads(line) for line in (tmp_path / out / "errors.jsonl").open()]


def run_counts(tmp_path, out="out"):
    return json.loads((tmp_path / out / "manifest.json").read_text())["runs"][-1]["counts"]


def expected_start(event: int) -> datetime:
    ids = next(ids for ids in LISTS.values() if event in ids)
    day, start, _end = event_slot(ids.index(event))
    clock = datetime.strptime(start, "%I:%M %p")
    return datetime(day.year, day.month, day.day, clock.hour, clock.minute, tzinfo=RIO)


def test_an_entry_page_without_sessions_is_crawled_through_its_events_lists(
    site, tmp_path, capsys, workers
):
    assert crawl(site, tmp_path) == 0
    # The year's lists on this host only; no detail page without --details.
    assert sorted(site.paths()) == [
        "/robots.txt",
        "/virtual/2026/calendar",
        "/virtual/2026/events/oral",
        "/virtual/2026/events/poster",
    ]
    talks = table(tmp_path, "talks")
    assert sorted(int(talk["event_id"]) for talk in talks) == sorted(
        e for ids in LISTS.values() for e in ids
    )
    assert all(talk["start"] is None and talk["time_raw"] for talk in talks)
    events = table(tmp_path, "events")
    assert len(events) == 5 and all(event["openreview_url"] is None for event in events)
    warnings = [p for p in problems(tmp_path) if p["severity"] == "warning"]
    assert sorted(p["source"] for p in warnings) == [
        f"{site.url}/virtual/2026/events/oral",
        f"{site.url}/virtual/2026/events/poster",
    ]
    assert all("--tz" in p["message"] for p in warnings)
    assert "2 pages (2 ok, 0 failed)" in capsys.readouterr().err


def test_tz_makes_list_times_exact(site, tmp_path):
    assert crawl(site, tmp_path, "--tz", "America/Sao_Paulo") == 0
    for talk in table(tmp_path, "talks"):
        assert datetime.fromisoformat(talk["start"]) == expected_start(int(talk["event_id"]))
        assert talk["utc_offset"] == "-03:00"


def test_details_make_every_event_exact_with_its_links(site, tmp_path, capsys, workers):
    assert crawl(site, tmp_path, "--details") == 0
    details = [f"/virtual/2026/{kind}/{event}" for kind, ids in LISTS.items() for event in ids]
    # The feed first (this site serves none: a 404, passed over quietly), then the pages.
    assert site.paths()[:3] == ["/robots.txt", "/virtual/2026/calendar", FEED]
    assert sorted(site.paths()[3:]) == sorted([*LIST_PATHS, *details])

    events = table(tmp_path, "events")
    assert len(events) == 5
    for event in events:
        assert datetime.fromisoformat(event["start"]) == expected_start(int(event["event_id"]))
        assert event["utc_offset"] == "-03:00"
        assert event["openreview_url"] == f"https://openreview.net/forum?id=E{event['event_id']}"
        assert event["abstract"] == f"We study event {event['event_id']}, in full."
    # The lists' own talks are exact too: their offset was learnt from the detail pages.
    for talk in table(tmp_path, "talks"):
        assert datetime.fromisoformat(talk["start"]) == expected_start(int(talk["event_id"]))
        assert talk["utc_offset"] == "-03:00"
    messages = {p["source"].rsplit("/", 1)[-1]: p["message"] for p in problems(tmp_path)}
    assert messages == {
        "oral": "times name no zone: read at -03:00, where the events' detail pages place its "
        "events (3 events)",
        "poster": "times name no zone: read at -03:00, where the events' detail pages place its "
        "events (2 events)",
    }
    counts = run_counts(tmp_path)
    assert counts["detail_pages"] == 5 and counts["offsets_learnt"] == 2
    assert counts["pages"] == 7 and counts["failed_pages"] == 0
    assert counts["feed_events"] == counts["detail_pages_saved"] == 0
    err = capsys.readouterr().err
    assert "; 5 detail pages, 2 offsets learnt" in err.splitlines()[-1]
    # Again, from the cache: the same files, whichever page arrives first.
    assert crawl(site, tmp_path, "--details", out="again") == 0
    for name in ("events.json", "event_claims.json", "talks.json"):
        again = (tmp_path / "again" / name).read_text()
        assert again.replace("/again/", "/out/") == (tmp_path / "out" / name).read_text()


def test_detail_pages_that_disagree_teach_no_offset(tmp_path, capsys, workers):
    """One list's detail pages print two offsets: it keeps its zone-less times, and says so;
    a detail page that is missing fails alone, and its list still learns from the others."""
    config = SiteConfig(
        year=2026,
        sessions=[],
        events_lists=LISTS,
        detail_offsets={61002: "-04", 62002: None},  # 62002: no detail page (404)
    )
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 1
    talks = {int(talk["event_id"]): talk for talk in table(tmp_path, "talks")}
    assert all(talks[event]["start"] is None for event in LISTS["oral"])
    assert all(talks[event]["utc_offset"] == "-03:00" for event in LISTS["poster"])
    found = sorted(
        (p["source"].rsplit("/", 1)[-1], p["severity"], p["message"]) for p in problems(tmp_path)
    )
    assert [(source, severity) for source, severity, _ in found] == [
        ("62002", "error"),
        ("oral", "warning"),
        ("oral", "warning"),
        ("poster", "warning"),
    ]
    assert found[0][2] == "HTTP 404 Not Found"
    oral = sorted(message for source, _, message in found if source == "oral")
    assert oral[0].startswith("times name no zone ('Apr 23")  # --tz, as without --details
    assert oral[1] == (
        "times name no zone, and the events' detail pages place its events at different offsets: "
        "-04:00 (1 event), -03:00 (2 events); left without a zone, give --tz"
    )
    assert found[3][2].endswith("place its events (1 event)")
    counts = run_counts(tmp_path)
    assert counts["offsets_learnt"] == 1 and counts["detail_pages"] == 5


def test_dry_run_with_details_lists_detail_pages_and_fetches_none(site, tmp_path, capsys):
    assert crawl(site, tmp_path, "--details", "--dry-run") == 0
    out, err = capsys.readouterr()
    base = f"{site.url}/virtual/2026"
    assert out.splitlines() == [
        f"{base}/events/oral",
        f"{base}/events/poster",
        *(f"{base}/{kind}/{event}" for kind, ids in LISTS.items() for event in ids),
    ]
    assert err.splitlines() == [
        f"schedscrape: {base}/calendar: 2 events lists, 5 detail pages",
    ]
    assert not any("/oral/" in path or "/poster/" in path for path in site.paths())
    assert not (tmp_path / "out").exists()
    # Without --details, the lists are what the crawl fetches: not even they are fetched.
    before = len(site.log)
    assert crawl(site, tmp_path, "--dry-run", "--refresh") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert all("/events/" not in path for path in site.paths()[before:])


def test_details_of_a_session_site_and_a_2026_site_in_one_run(site, tmp_path, capsys, workers):
    """Two hosts, two kinds of entry: each session page's talks get their 2020-25 detail
    pages, each list's events their 2026 ones; each host keeps its rate."""
    with FakeSite(SiteConfig(sessions=[101, 102], cards=3)) as sessions_site:
        entries = [
            f"{sessions_site.url}/virtual/2022/calendar",
            f"{site.url}/virtual/2026/calendar",
        ]
        code = run_crawl(tmp_path, *entries, "--details", "--rate", 20)
    assert code == 0
    posters = sorted(p for p in sessions_site.paths() if "/poster/" in p)
    assert posters == [
        f"/virtual/2022/poster/{s * 1000 + n}" for s in (101, 102) for n in (1, 2, 3)
    ]
    for host in (sessions_site, site):
        times = [entry.time for entry in host.log]
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.05 - 0.03
    events = {event["event_id"]: event for event in table(tmp_path, "events")}
    assert len(table(tmp_path, "events")) == len(events) == 6 + 5
    poster = events["101002"]
    assert poster["openreview_url"] == "https://openreview.net/forum?id=P101002"
    assert poster["abstract"] == "The full abstract of poster 101002."
    assert poster["session_ids"] == ["101"] and poster["utc_offset"] == "-07:00"
    assert events["61001"]["openreview_url"] == "https://openreview.net/forum?id=E61001"
    err = capsys.readouterr().err.splitlines()
    assert err[-3:-1] == [
        f"schedscrape: {entries[0]}: 2 session pages: 2 ok, 0 failed; "
        "6 detail pages: 6 ok, 0 failed",
        f"schedscrape: {entries[1]}: 2 events lists: 2 ok, 0 failed; "
        "5 detail pages: 5 ok, 0 failed; 2 offsets learnt",
    ]


# --- feed first -----------------------------------------------------------------------------


def test_a_feed_makes_every_detail_page_unnecessary(tmp_path, capsys, workers):
    """The done-when of issue 11: robots + entry + feed + lists, no detail page, every link."""
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
    assert site.paths()[:3] == ["/robots.txt", "/virtual/2026/calendar", FEED]
    assert sorted(site.paths()[3:]) == LIST_PATHS  # and nothing else

    events = table(tmp_path, "events")
    assert sorted(int(event["event_id"]) for event in events) == sorted(EVENTS)
    for event in events:
        event_id = event["event_id"]
        assert event["openreview_url"] == f"https://openreview.net/forum?id=E{event_id}"
        assert event["abstract"] == f"We study event {event_id}, in full."
        assert datetime.fromisoformat(event["start"]) == expected_start(int(event_id))
        assert event["utc_offset"] == "-03:00"
        assert event["url"].startswith(f"{site.url}/virtual/2026/")
    # The lists' talks are exact too, at the offset the feed gives their events.
    list_talks = [t for t in table(tmp_path, "talks") if "/events/" in t["source"]]
    assert len(list_talks) == len(EVENTS)
    for talk in list_talks:
        assert datetime.fromisoformat(talk["start"]) == expected_start(int(talk["event_id"]))
    messages = {
        p["source"].rsplit("/", 1)[-1]: p["message"]
        for p in problems(tmp_path)
        if "/events/" in p["source"]
    }
    assert messages == {
        "oral": "times name no zone: read at -03:00, where the site's feed places its events "
        "(3 events)",
        "poster": "times name no zone: read at -03:00, where the site's feed places its events "
        "(2 events)",
    }
    institutions = {a["institution"] for a in table(tmp_path, "talk_authors")}
    assert "Analytical Engines" in institutions
    counts = run_counts(tmp_path)
    assert counts["requests"] == 5 and counts["detail_pages"] == 0
    assert counts["feed_events"] == counts["detail_pages_saved"] == 5
    assert counts["pages"] == 3 and counts["failed_pages"] == 0
    assert "; 0 detail pages (5 saved by the feed), 2 offsets learnt" in capsys.readouterr().err


def test_detail_pages_only_for_the_events_the_feed_lacks(tmp_path, capsys, workers):
    """A feed cut short: its events come from it, the others from their detail pages, and a
    list learns its offset from both."""
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=[61001, 62001])
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
    fetched = [path for path in site.paths() if "/events/" not in path][3:]
    assert sorted(fetched) == ["/virtual/2026/oral/61002", "/virtual/2026/oral/61003",
                               "/virtual/2026/poster/62002"]  # fmt: skip
    events = table(tmp_path, "events")
    assert all(event["openreview_url"] and event["utc_offset"] == "-03:00" for event in events)
    by_source = {e["event_id"]: {s.rsplit("/", 1)[-1] for s in e["sources"]} for e in events}
    assert by_source["61001"] == {"iclr-2026-orals-posters.json", "oral"}
    assert by_source["61002"] == {"61002", "oral"}
    messages = {p["source"].rsplit("/", 1)[-1]: p["message"] for p in problems(tmp_path)}
    assert messages["oral"] == (
        "times name no zone: read at -03:00, where the site's feed and the events' detail "
        "pages place its events (3 events)"
    )
    counts = run_counts(tmp_path)
    assert counts["detail_pages"] == 3
    assert counts["detail_pages_saved"] == counts["feed_events"] == 2
    err = capsys.readouterr().err.splitlines()
    assert "; 3 detail pages (2 saved by the feed), 2 offsets learnt" in err[-1]


@pytest.mark.parametrize(
    ("fault", "robots", "message"),
    [
        (Fault(status=500), "", "HTTP 500 Internal Server Error"),
        (Fault(status=200, body=b"<html><body><p>Page not found</p></body></html>"), "",
         "not a session page"),
        (None, "Disallow: /static/", "disallowed by"),
        # Cut short, or reset, mid-body; and a lying charset on a feed that is not one.
        (Fault(kind="short"), "", "IncompleteRead"),
        (Fault(kind="reset"), "", "Connection reset"),
        (Fault(status=200, body="<html><body>Früh</body></html>".encode("utf-16"),
               content_type="application/json; charset=utf-8"), "", "not a session page"),
    ],
)  # fmt: skip
def test_a_feed_that_fails_is_a_warning_and_the_detail_pages_stand_in(
    tmp_path, fault, robots, message
):
    config = SiteConfig(
        year=2026,
        sessions=[],
        events_lists=LISTS,
        feed=EVENTS,
        feed_fault=fault,
        robots=f"User-agent: *\n{robots}\n",
    )
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details", "--retries", "0") == 0
    assert sum("/oral/" in path or "/poster/" in path for path in site.paths()) == 5
    feed_problems = [p for p in problems(tmp_path) if p["source"].endswith(".json")]
    assert len(feed_problems) == 1
    assert feed_problems[0]["severity"] == "warning" and feed_problems[0]["stage"] == "feed"
    assert feed_problems[0]["message"].startswith("the site's feed could not be read (")
    assert message in feed_problems[0]["message"]
    assert feed_problems[0]["message"].endswith("); detail pages are fetched instead")
    events = table(tmp_path, "events")
    assert len(events) == 5 and all(event["openreview_url"] for event in events)
    assert run_counts(tmp_path)["failed_pages"] == 0


def test_no_feed_without_details(tmp_path):
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path) == 0
    assert FEED not in site.paths()


def test_dry_run_with_a_feed_lists_it_and_no_detail_page(tmp_path, capsys):
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=[61001, 61002])
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details", "--dry-run") == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        site.url + FEED,
        *(site.url + path for path in LIST_PATHS),
        f"{site.url}/virtual/2026/oral/61003",
        *(f"{site.url}/virtual/2026/poster/{event}" for event in LISTS["poster"]),
    ]
    assert err.splitlines() == [
        f"schedscrape: {site.url}/virtual/2026/calendar: 2 events lists, a feed of 2 events, "
        "3 detail pages (2 saved by the feed)"
    ]
    assert not (tmp_path / "out").exists()


def test_a_feed_in_utc_calibrates_lists_printed_in_the_venues_zone(tmp_path, workers):
    """The feed gives the same moments in UTC: 09:00 on a list is 12:00 UTC there, so the
    list is read at -03:00 (its printed time less the moment), not at the feed's +00:00."""
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS, feed_in_utc=True)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
    for record in [*table(tmp_path, "events"), *table(tmp_path, "talks")]:
        assert datetime.fromisoformat(record["start"]) == expected_start(int(record["event_id"]))
    list_talks = [t for t in table(tmp_path, "talks") if "/events/" in t["source"]]
    assert len(list_talks) == 5 and {t["utc_offset"] for t in list_talks} == {"-03:00"}
    assert run_counts(tmp_path)["offsets_learnt"] == 2


def test_an_event_moved_since_the_feed_was_made_teaches_no_offset(tmp_path, workers):
    """One event an hour off between the list and the feed: the list's events disagree on its
    offset, so none is guessed, and the warning shows the count of each."""
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS, feed_moved=61002)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
    talks = {int(t["event_id"]): t for t in table(tmp_path, "talks") if "/events/" in t["source"]}
    assert all(talks[event]["start"] is None for event in LISTS["oral"])
    assert all(talks[event]["utc_offset"] == "-03:00" for event in LISTS["poster"])
    oral = [p["message"] for p in problems(tmp_path) if p["source"].endswith("/oral")]
    assert oral[-1] == (
        "times name no zone, and the site's feed places its events at different offsets: "
        "-04:00 (1 event), -03:00 (2 events); left without a zone, give --tz"
    )


def test_a_session_site_with_a_feed_fetches_detail_pages_only_for_what_it_lacks(tmp_path):
    """2020-25 sites serve the feed too: its papers need no detail page."""
    all_events = [session * 1000 + number for session in (101, 102) for number in (1, 2, 3)]
    config = SiteConfig(sessions=[101, 102], cards=3, feed=all_events[1:])
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details", entries=["/virtual/2022/calendar"]) == 0
    assert [path for path in site.paths() if "/poster/" in path] == ["/virtual/2022/poster/101001"]
    assert "/static/virtual/data/icml-2022-orals-posters.json" in site.paths()
    events = table(tmp_path, "events")
    assert len(events) == 6
    for event in events:
        assert event["openreview_url"] == f"https://openreview.net/forum?id=P{event['event_id']}"
        assert event["start"] == "2022-07-16T11:00:00-07:00"
        # The feed's exact time names no zone abbreviation: the pages' PDT, at the same moment.
        assert event["timezone"] == "PDT"
    counts = run_counts(tmp_path)
    assert (counts["detail_pages"], counts["detail_pages_saved"]) == (1, 5)


def test_a_feed_first_crawl_replays_offline_from_the_cache(tmp_path):
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=[61001, 62002])
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
        before = len(site.log)
        assert crawl(site, tmp_path, "--details", "--offline", out="offline") == 0
        assert len(site.log) == before  # not one request
    for name in ("events.json", "talks.json", "event_claims.json"):
        offline = (tmp_path / "offline" / name).read_text()
        assert offline.replace("/offline/", "/out/") == (tmp_path / "out" / name).read_text()
    assert run_counts(tmp_path, "offline")["detail_pages_saved"] == 2


def detail_requests(site):
    return [path for path in site.paths() if "/oral/" in path or "/poster/" in path]


def served_feed(change) -> SiteConfig:
    """A 2026 site whose feed is the usual one, its records changed by `change`."""
    usual = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)
    feed = json.loads(feed_file(usual))
    change(feed["results"])
    fault = Fault(status=200, body=json.dumps(feed).encode(), content_type="application/json")
    return SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS, feed_fault=fault)


def test_two_entries_of_one_site_year_both_wait_for_its_feed(tmp_path, monkeypatch):
    """A multi-venue year: two calendars name one feed, and neither's pages go before it."""
    answer = FakeSite._answer

    def slow_feed(self, path, secure):
        if path == FEED:
            time.sleep(0.5)  # the feed arrives after both entry pages
        if path == "/virtual/2026/loc/rio/calendar":
            path = "/virtual/2026/calendar"
        return answer(self, path, secure)

    monkeypatch.setattr(FakeSite, "_answer", slow_feed)
    with FakeSite(SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)) as site:
        entries = ["/virtual/2026/calendar", "/virtual/2026/loc/rio/calendar"]
        assert crawl(site, tmp_path, "--details", entries=entries) == 0
    assert detail_requests(site) == [] and site.paths().count(FEED) == 1
    counts = run_counts(tmp_path)
    assert counts["detail_pages_saved"] == counts["feed_events"] == 5


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda r: r.pop("abstract") and r.pop("paper_url"), id="no abstract, no link"),
        pytest.param(lambda r: r.update(starttime=r["starttime"][:19], endtime=r["endtime"][:19]),
                     id="times without offset"),
        pytest.param(lambda r: r.update(virtualsite_url=f"/virtual/2025/oral/{r['id']}"),
                     id="records of another year"),
    ],
)  # fmt: skip
def test_a_feed_that_does_not_give_an_event_in_full_saves_no_detail_page(tmp_path, change):
    """A detail page is skipped only where the feed gives its event's exact time, a link,
    and an abstract the page lacks (newer feeds keep abstracts elsewhere)."""
    with FakeSite(served_feed(lambda records: [change(r) for r in records])) as site:
        assert crawl(site, tmp_path, "--details") == 0
    assert len(detail_requests(site)) == 5
    events = [event for event in table(tmp_path, "events") if event["year"] == 2026]
    assert len(events) == 5
    for event in events:
        assert event["abstract"] == f"We study event {event['event_id']}, in full."
        assert event["openreview_url"] == f"https://openreview.net/forum?id=E{event['event_id']}"
        assert datetime.fromisoformat(event["start"]) == expected_start(int(event["event_id"]))
    assert run_counts(tmp_path)["detail_pages_saved"] == 0


def test_an_html_page_at_the_feed_address_is_set_aside(tmp_path):
    """A site's fallback page served at the feed's address is not the feed: one warning,
    none of its cards in the dataset, and the detail pages stand in."""
    page = fakesite.events_list_page(2026, "oral", LISTS["oral"])
    fault = Fault(status=200, body=page, content_type="text/html; charset=utf-8")
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS, feed_fault=fault)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
    assert run_counts(tmp_path)["feed_events"] == 0 and len(detail_requests(site)) == 5
    assert not any(FEED in session["source"] for session in table(tmp_path, "sessions"))
    assert all(event["start"] and event["openreview_url"] for event in table(tmp_path, "events"))
    (warning,) = [p for p in problems(tmp_path) if p["stage"] == "feed"]
    assert warning["message"] == (
        "the site's feed could not be read (it is an events list, not a feed); detail pages "
        "are fetched instead"
    )


def test_a_feed_named_on_an_entry_page_without_a_known_conference_names_it(
    tmp_path, monkeypatch
):
    """Neither host nor title names the conference, the feed's file name does: every page
    of the entry is read as of it, so no event is keyed twice."""
    calendar = fakesite.calendar_page

    def untitled(year, session_ids, events_lists=(), conference=None):
        page = calendar(year, session_ids, events_lists, None)
        return page.replace(b"<body>", f'<body><script src="{FEED}"></script>'.encode())

    monkeypatch.setattr(fakesite, "calendar_page", untitled)
    with FakeSite(SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)) as site:
        assert crawl(site, tmp_path, "--details") == 0
    events = table(tmp_path, "events")
    assert len(events) == 5 and {event["conference"] for event in events} == {"ICLR"}
    assert all(event["openreview_url"] for event in events)


def test_a_feed_read_again_replaces_what_it_said(tmp_path):
    """Its sessions renamed and an event moved: the folder holds the new feed only."""
    config = SiteConfig(year=2026, sessions=[], events_lists=LISTS, feed=EVENTS)
    with FakeSite(config) as site:
        assert crawl(site, tmp_path, "--details") == 0
        updated = json.loads(feed_file(config))
        for record in updated["results"]:
            record["session"] += " (rescheduled)"
            if record["id"] == 61001:
                record["starttime"] = "2026-04-23T14:00:00-03:00"
                record["endtime"] = "2026-04-23T14:15:00-03:00"
                record["abstract"] = "A new abstract."
        body = json.dumps(updated).encode()
        site.config.feed_fault = Fault(status=200, body=body, content_type="application/json")
        crawl(site, tmp_path, "--details", "--refresh")
    event = next(e for e in table(tmp_path, "events") if e["event_id"] == "61001")
    assert event["abstract"] == "A new abstract."
    assert event["start"] == "2026-04-23T14:00:00-03:00"
    feed_sessions = [s for s in table(tmp_path, "sessions") if s["session_type"] == "feed"]
    assert sorted(s["title"] for s in feed_sessions) == [
        "Oral Session (rescheduled)",
        "Poster Session (rescheduled)",
    ]


def test_an_offline_replay_of_a_site_without_a_feed_adds_no_warning(tmp_path):
    """Offline, a feed not in the cache is as absent as the 404 it was."""
    with FakeSite(SiteConfig(year=2026, sessions=[], events_lists=LISTS)) as site:
        assert crawl(site, tmp_path, "--details") == 0
        assert crawl(site, tmp_path, "--details", "--offline", out="offline") == 0
    assert [p for p in problems(tmp_path, "offline") if p["stage"] == "feed"] == []
    assert run_counts(tmp_path, "offline")["warnings"] == run_counts(tmp_path)["warnings"]
