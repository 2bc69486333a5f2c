"""Hostile and broken data files, property-tested like the page readers: JSON that is neither a
feed nor an export, truncated or mutated files, records of the wrong types, and files too large
to read. Each is one clear one-line PageError, or gives what the file still holds: the good
records of a file that is still readable, each exactly as the whole file gives it."""

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedscrape import parse, parse_page
from schedscrape.cli import main
from schedscrape.errors import PageError, PageTooBig
from tests.conftest import FIXTURES
from tests.test_data_files import FEED, export_records

EXPORT = json.dumps(export_records(30), indent=1).encode()
FILES = {"feed": FEED, "export": EXPORT}
WHOLE = {name: {e.event_id: e for e in parse_page(data).events} for name, data in FILES.items()}
WHOLE_IDS = {name: list(events) for name, events in WHOLE.items()}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=30,
)
wrong_types = st.one_of(
    st.booleans(),
    st.floats(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(), st.integers(), max_size=2),
)


def consistent(page) -> None:
    """What any page read from a data file holds."""
    assert page.kind in ("feed", "export")
    assert all(len(event.sources) == 1 for event in page.events)
    ids = [event.event_id for event in page.events]
    assert len(ids) == len(set(ids))  # one event per paper
    assert [t.event_id for t in page.talks] == [e.event_id for e in page.events if e.session_ids]
    for session in page.sessions:
        talks = [talk for talk in page.talks if talk.session_id == session.session_id]
        assert session.talk_count == len(talks) > 0
    for problem in page.problems:
        assert problem.message and "\n" not in problem.message


def one_line(error: PageError) -> None:
    assert str(error) and "\n" not in str(error)


@given(json_values)
def test_any_json_is_read_or_refused_in_one_line(value):
    try:
        page = parse_page(json.dumps(value))
    except PageError as exc:
        one_line(exc)
    else:
        consistent(page)


@st.composite
def cut_or_mutated(draw) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(FILES)))
    data = FILES[name]
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["truncate", "delete", "insert"]))
        if action == "truncate":
            data = data[:start]
        elif action == "delete":
            data = data[:start] + data[draw(st.integers(start, min(len(data), start + 40))) :]
        else:
            piece = draw(st.sampled_from([b'"', b",", b"{", b"]", b"null", b"\x00", b'"\\ud800"']))
            data = data[:start] + piece + data[start:]
    return name, data


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(cut_or_mutated())
def test_cut_and_mutated_files(case):
    _, data = case
    try:
        page = parse_page(data, source="fuzz")
    except PageError as exc:
        one_line(exc)
        return
    consistent(page)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(FILES)), st.data())
def test_a_cut_file_keeps_its_complete_records_exactly(name, data):
    whole = FILES[name]
    cut = data.draw(st.integers(1, len(whole.rstrip()) - 1))
    try:
        page = parse_page(whole[:cut])
    except PageError as exc:
        one_line(exc)
        return
    assert any(p.severity == "error" and "truncated JSON" in p.message for p in page.problems)
    for event in page.events:
        assert event == WHOLE[name][event.event_id]


SPOILABLE = {
    "feed": ["name", "authors", "session", "starttime", "room_name", "id"],
    "export": ["name", "type", "speakers/authors", "abstract", "virtualsite_url"],
}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(FILES)),
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5), wrong_types), max_size=4),
)
def test_records_of_wrong_types_are_skipped_and_the_rest_kept(name, spoilt):
    """Each spoilt record gets a wrong-typed value in one of its fields; the other records
    are kept exactly, and the skipped ones are named in a warning."""
    value = json.loads(FILES[name])
    records = value["results"] if name == "feed" else value
    fields = SPOILABLE[name]
    bad = set()
    for index, field_number, wrong in spoilt:
        record = records[index]
        event_id = str(record["id"]) if name == "feed" else WHOLE_IDS[name][index]
        record[fields[field_number % len(fields)]] = wrong
        bad.add(event_id)
    page = parse_page(json.dumps(value))
    consistent(page)
    kept = {event.event_id for event in page.events}
    assert set(WHOLE[name]) - bad <= kept
    for event_id in set(WHOLE[name]) - bad:
        whole = WHOLE[name][event_id]
        assert page.events[[e.event_id for e in page.events].index(event_id)].title == whole.title
    skipped = bad - kept
    if skipped:
        assert any("skipped" in problem.message for problem in page.problems)


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    read = []
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        read.append(path.name)
        if path.stat().st_size > 2**20:
            raise AssertionError("read a file over the limit")
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    huge = tmp_path / "huge.json"
    with huge.open("wb") as stream:  # sparse: 500 MB that take no disk and are never read
        stream.write(b"[")
        stream.truncate(500 * 2**20)
    good = tmp_path / "feed.json"
    good.write_bytes(FEED)
    out = tmp_path / "out"
    assert main(["parse", str(huge), str(good), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "huge.json" in line)
    assert "too big" in line and "500 MiB" in line and "limit is 64 MiB" in line
    assert len(json.loads((out / "events.json").read_text(encoding="utf-8"))) == 3
    assert "huge.json" not in read and "feed.json" in read


def test_parse_page_checks_the_size_before_anything_else(monkeypatch):
    monkeypatch.setattr(parse, "MAX_PAGE_BYTES", len(FEED) - 1)
    for data in (FEED, FEED.decode()):
        with pytest.raises(PageTooBig, match="too big"):
            parse_page(data)
    monkeypatch.setattr(parse, "MAX_PAGE_BYTES", len(FEED))
    assert len(parse_page(FEED).events) == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1}', "neither a schedule feed nor an events export"),
        (b"[1, 2]", "neither a schedule feed nor an events export"),
        (b'{"results": 5}', "'results' is a number, not a list"),
        (b'{"count": 2, "results": [{"id": 1, "na', "truncated JSON"),
        (b'{"results": [{"id": 1}] ,, }', "not valid JSON"),
        (b"[" * 100_000, "nested too deeply"),
        (b'{"results": [{"id": [1]}, {"id": true}]}', "no usable record"),
        (b'[{"virtualsite_url": 5, "name": "x"}]', "no usable record"),
    ],
)
def test_hostile_json_is_one_clear_error(data, message):
    with pytest.raises(PageError, match=message) as caught:
        parse_page(data)
    one_line(caught.value)


def test_a_text_rendering_that_starts_with_a_bracket_is_not_taken_for_json():
    text = (FIXTURES / "renderings").iterdir().__next__().read_text(encoding="utf-8")
    assert parse_page("[Skip to main content]\n" + text).kind == "text rendering"


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_file_cut_inside_its_third_record_keeps_the_first_two(name, tmp_path, capsys):
    whole = FILES[name]
    third = whole.index(WHOLE_IDS[name][2].encode())  # its id, or its address
    path = tmp_path / "cut.json"
    path.write_bytes(whole[:third])
    out = tmp_path / "out"
    assert main(["parse", str(path), "-o", str(out)]) == 1  # an incomplete file is a failure
    assert "truncated JSON" in capsys.readouterr().err
    events = json.loads((out / "events.json").read_text(encoding="utf-8"))
    assert [event["event_id"] for event in events] == list(WHOLE[name])[:2]
