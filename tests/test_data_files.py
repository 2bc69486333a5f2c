"""The sites' own data files, read by content through `parse_page` and the CLI: the
`*-orals-posters.json` feed (sessions by name, exact times, institutions, a truncated count and
a duplicate warned about) and the "Downloads" events export (JSON and CSV: events only)."""

import csv
import io
import json
from datetime import datetime, timedelta, timezone

import pytest

from schedscrape import load, parse_page
from schedscrape.cli import main
from schedscrape.parse.datafiles import feed
from tests.conftest import FIXTURES

FEED_PATH = FIXTURES / "feeds" / "icml-2025-orals-posters.json"
FEED = FEED_PATH.read_bytes()
PDT = timezone(timedelta(hours=-7))


def test_feed_gives_sessions_by_name_talks_events_and_institutions():
    page = parse_page(FEED, source="feed.json")
    assert page.kind == "feed" and page.session is None  # several sessions: see .sessions
    sessions = {session.title: session for session in page.sessions}
    assert list(sessions) == ["Poster Session 1 East", "Oral 2A Scheduling"]
    posters = sessions["Poster Session 1 East"]
    assert (posters.session_type, posters.talk_count, posters.room) == (
        "feed",
        2,
        "East Exhibition Hall A-B",
    )
    assert (posters.conference, posters.year) == ("ICML", 2025)
    assert posters.start == datetime(2025, 7, 15, 11, 0, tzinfo=PDT)
    assert posters.utc_offset == "-07:00"
    # One event per paper: the repeated record of 46001 is folded into one.
    assert [event.event_id for event in page.events] == ["46001", "46002", "46101"]
    assert [talk.session_id for talk in page.talks] == [posters.session_id] * 2 + [
        sessions["Oral 2A Scheduling"].session_id
    ]
    first = page.events[0]
    assert first.title == "Sparse Attention for α-Stable Schedules"
    assert first.title_raw == "Sparse \\textbf{Attention} for $\\alpha$-Stable Schedules"
    assert first.abstract == "We schedule talks with 95% fewer clashes."
    assert first.authors == ["Ada Lovelace", "Charles Babbage"]
    assert first.start.isoformat() == "2025-07-15T11:00:00-07:00"
    assert first.end.isoformat() == "2025-07-15T13:30:00-07:00"
    assert (first.room, first.poster_position, first.event_type) == (
        "East Exhibition Hall A-B",
        "E-101",
        "Poster",
    )
    assert first.url == "https://icml.cc/virtual/2025/poster/46001"
    assert first.openreview_url == "https://openreview.net/forum?id=Ab12Cd"
    assert first.paper_url is None and first.session_ids == [posters.session_id]
    oral = page.events[2]
    assert oral.openreview_url is None
    assert oral.paper_url == "https://example.org/papers/46101.pdf"
    assert page.institutions[(posters.session_id, 1)] == ["University of London", None]
    talk = page.talks[0]
    assert talk.time_source == "talk"
    assert talk.time_raw == "2025-07-15T11:00:00-07:00 - 2025-07-15T13:30:00-07:00"


def test_feed_warns_of_a_truncated_count_and_a_duplicate():
    messages = [(p.stage, p.message) for p in parse_page(FEED).problems]
    assert len(messages) == 2 and {stage for stage, _ in messages} == {"feed"}
    assert "truncated: its count is 6, but it holds only 4" in messages[0][1]
    assert "event 46001 is in the feed 2 times (records 1, 4): folded" in messages[1][1]


def test_a_duplicate_fills_what_the_first_record_lacks_and_names_what_differs():
    data = json.loads(FEED)
    first, repeat = data["results"][0], data["results"][3]
    first["abstract"], first["authors"] = None, []
    repeat["room_name"] = "Hall C"
    page = parse_page(json.dumps(data))
    event = page.events[0]
    assert event.abstract == "We schedule talks with 95% fewer clashes."
    assert event.room == "East Exhibition Hall A-B"  # the first record's
    key = (page.sessions[0].session_id, 1)
    assert page.institutions[key] == ["University of London", None]  # with the authors taken
    assert "they differ in room" in page.problems[1].message


def test_feed_session_ids_are_stable_and_kept_apart_by_conference_year():
    again = parse_page(FEED, url="https://icml.cc/static/virtual/data/icml-2025-orals-posters.json")
    assert [s.session_id for s in again.sessions] == [
        s.session_id for s in parse_page(FEED).sessions
    ]
    other_year = FEED.replace(b"/virtual/2025/", b"/virtual/2024/")
    assert not {s.session_id for s in parse_page(other_year).sessions} & {
        s.session_id for s in again.sessions
    }


@pytest.mark.parametrize(
    ("source", "url", "conference", "year", "event_url"),
    [
        # The feed's own address: relative event addresses are put on its site.
        (None, "https://eccv.ecva.net/static/virtual/data/eccv-2026-orals-posters.json",
         "ECCV", 2026, "https://eccv.ecva.net/virtual/2026/poster/46001"),
        # A file's name alone: the conference and year, and the conference's own site.
        ("downloads/iclr-2026-orals-posters.json", None, "ICLR", 2026,
         "https://iclr.cc/virtual/2026/poster/46001"),
        # A name the table does not know says nothing.
        ("downloads/abcd-2026-orals-posters.json", None, None, None, None),
    ],
)  # fmt: skip
def test_a_feed_with_relative_addresses_is_placed_by_its_address_or_name(
    source, url, conference, year, event_url
):
    data = json.loads(FEED)
    for record in data["results"]:
        record["virtualsite_url"] = "/virtual/2026/poster/" + str(record["id"])
    page = parse_page(json.dumps(data), source=source, url=url)
    event = next(event for event in page.events if event.event_id == "46001")
    assert (event.conference, event.year, event.url) == (conference, year, event_url)


def test_feed_times_without_offset_take_tz_else_warn():
    data = json.loads(FEED)
    for record in data["results"]:
        record["starttime"] = record["starttime"].removesuffix("-07:00")
        record["endtime"] = record["endtime"].removesuffix("-07:00")
    page = parse_page(json.dumps(data))
    assert all(event.start is None for event in page.events)
    assert any("has no UTC offset" in p.message and p.stage == "time" for p in page.problems)
    seoul = parse_page(json.dumps(data), tz="Asia/Seoul")
    assert seoul.events[0].start.isoformat() == "2025-07-15T11:00:00+09:00"


def test_parse_a_feed_writes_every_session_and_institutions(tmp_path):
    out = tmp_path / "out"
    assert main(["parse", str(FEED_PATH), "-o", str(out)]) == 0
    tables = load(out)
    assert sorted(tables.sessions["title"]) == ["Oral 2A Scheduling", "Poster Session 1 East"]
    assert len(tables.talks) == 3 and len(tables.events) == 3
    authors = tables.talk_authors
    assert [name if isinstance(name, str) else None for name in authors["institution"]] == [
        "University of London",
        None,
        "Yale University",
        "University of Manchester",
        "Bletchley Park",
    ]
    # Another page parsed into the folder later keeps the feed's institutions.
    schedule = FIXTURES / "pages" / "nips2016-schedule.html"
    assert main(["parse", str(schedule), "-o", str(out), "--format", "csv"]) == 0
    rows = json.loads((out / "talk_authors.json").read_text(encoding="utf-8"))
    assert [row["institution"] for row in rows[:2]] == ["University of London", None]
    problems = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    assert sum(problem["stage"] == feed.STAGE for problem in problems) == 2


# --- the Downloads export ----------------------------------------------------------------

TYPES = ["Poster", "Workshop", "Tutorial", "Invited Talk", "Oral"]
LATEX_TITLES = [
    "\\textbf{La}nguage Models at ``Scale''",
    "$\\alpha$-Divergence for 50\\% of Graphs",
    "On $query$ Complexity",
    "Plain Title Number {n}",
]


def export_records(count: int) -> list[dict]:
    """An export of `count` records, as ICML 2024's is written: upper-case host, doubled
    slash, authors joined by ", ", raw LaTeX in titles and abstracts."""
    return [
        {
            "type": TYPES[n % len(TYPES)],
            "name": LATEX_TITLES[n % len(LATEX_TITLES)].replace("{n}", str(n)),
            "virtualsite_url": f"https://ICML.cc//virtual/2024/{TYPES[n % 5].split()[0].lower()}"
            f"/{35000 + n}",
            "speakers/authors": ", ".join(f"Author {n}-{k}" for k in range(1 + n % 4)),
            "abstract": f"We improve by {n}\\% on $\\beta$-tasks.",
        }
        for n in range(count)
    ]


def check_export(page, records: list[dict]) -> None:
    assert page.kind == "export" and page.session is None and page.talks == []
    assert len(page.events) == len(records)
    clean_titles = {
        0: "Language Models at “Scale”",
        1: "α-Divergence for 50% of Graphs",
        2: "On query Complexity",
    }
    for n, (event, record) in enumerate(zip(page.events, records, strict=True)):
        assert event.title_raw == record["name"]
        assert event.title == clean_titles.get(n % 4, f"Plain Title Number {n}")
        assert event.authors == [f"Author {n}-{k}" for k in range(1 + n % 4)]
        kind = TYPES[n % 5]
        assert event.url == f"https://icml.cc/virtual/2024/{kind.split()[0].lower()}/{35000 + n}"
        assert (event.event_id, event.event_type) == (str(35000 + n), kind)
        assert (event.conference, event.year) == ("ICML", 2024)
        assert event.abstract == f"We improve by {n}% on β-tasks."
        assert event.start is None and event.room is None and event.session_ids == []


def test_the_icml_2024_export_gives_2682_events():
    records = export_records(2682)
    page = parse_page(json.dumps(records).encode(), source="events.json")
    check_export(page, records)
    assert page.problems == []  # no session, no time: not an error
    assert page.events[0].sources == ["events.json"]


def test_the_csv_form_of_the_export():
    records = export_records(40)
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=list(records[0]))
    writer.writeheader()
    writer.writerows(records)
    check_export(parse_page(stream.getvalue().encode()), records)


def test_parse_an_export(tmp_path):
    path = tmp_path / "downloaded"  # no suffix: told by content
    path.write_text("\ufeff  " + json.dumps(export_records(12)), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["parse", str(path), "-o", str(out)]) == 0
    tables = load(out)
    assert len(tables.events) == 12 and tables.sessions.empty and tables.talks.empty
    assert set(tables.events["event_type"]) == set(TYPES)


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("https://ICML.cc//virtual/2024/poster/35005", "https://icml.cc/virtual/2024/poster/35005"),
        ("HTTPS://icml.cc/virtual//2024///oral/7", "https://icml.cc/virtual/2024/oral/7"),
        ("/virtual/2024/poster/8", "https://icml.cc/virtual/2024/poster/8"),
    ],
)
def test_export_addresses_are_canonical(written, canonical):
    record = {"type": "Poster", "name": "T", "virtualsite_url": written}
    (event,) = parse_page(json.dumps([record]), conference="icml").events
    assert event.url == canonical


def test_check_sets_the_feed_beside_the_session_page_it_describes(tmp_path, capsys):
    """The feed's session of the same name and span: an event only the feed has, and a title
    that differs, are reported; the rest agree."""
    html = FIXTURES / "sessions" / "icml2025-poster-session.html"
    page = parse_page(html.read_bytes())
    session = page.session
    records = [
        {
            "id": int(talk.event_id),
            "name": talk.title_raw,
            "authors": [{"fullname": name, "institution": "", "url": ""} for name in talk.authors],
            "session": session.title,
            "eventtype": "Poster",
            "room_name": session.room,
            "virtualsite_url": f"https://icml.cc/virtual/2025/poster/{talk.event_id}",
            "starttime": session.start.isoformat(),
            "endtime": session.end.isoformat(),
        }
        for talk in page.talks
    ]
    records[0]["name"] = "A Title Only the Feed Gives"
    records.append({**records[1], "id": 49999, "name": "A Paper Only the Feed Has"})
    records[-1]["virtualsite_url"] = "https://icml.cc/virtual/2025/poster/49999"
    feed_path = tmp_path / "feed.json"
    feed_path.write_text(json.dumps({"count": len(records), "results": records}), "utf-8")
    out = tmp_path / "out"
    assert main(["parse", str(html), str(feed_path), "-o", str(out)]) == 0
    assert main(["check", str(out)]) == 1
    report = json.loads((out / "check.json").read_text(encoding="utf-8"))
    assert [entry["event_id"] for entry in report["missing"]] == ["49999"]
    (difference,) = report["differences"]
    assert (difference["event_id"], difference["field"]) == (page.talks[0].event_id, "title")


def test_a_record_whose_id_is_not_its_addresses_is_skipped_with_a_warning():
    data = json.loads(FEED)
    first = data["results"][0]
    first["virtualsite_url"] = first["virtualsite_url"].replace(str(first["id"]), "99999")
    page = parse_page(json.dumps(data))
    assert "99999" not in {event.event_id for event in page.events}
    assert str(first["id"]) in {event.event_id for event in page.events}  # its repeat, record 3
    (warning,) = [p for p in page.problems if "virtualsite_url" in p.message]
    assert warning.message == "record 1 skipped: its id is not the id in its virtualsite_url"


def test_whole_numbers_written_as_floats_are_ids():
    """61001.0: a feed written by a tool that reads every number as a float."""
    data = json.loads(FEED)
    for record in data["results"]:
        record["id"] = float(record["id"])
    page = parse_page(json.dumps(data))
    assert [event.event_id for event in page.events] == ["46001", "46002", "46101"]
    data["results"][0]["id"] = 46001.5
    assert "46001.5" not in {event.event_id for event in parse_page(json.dumps(data)).events}
