"""Work a page's parse does once, not once per card: lists of thousands of cards share a few
time slots (the speed budget of issue #10 item 7, `benchmarks/parse_speed.py`)."""

from schedscrape import parse_page
from schedscrape.parse import build


def _schedule(slots: list[str]) -> str:
    cards = "".join(
        f'<div class="maincard narrower Poster" id="maincard_{index}">'
        '<div class="maincardHeader maincardType">Poster</div>'
        f'<div class="maincardHeader">{slot} @ Area 5 + 6 #{index}</div>'
        f'<div class="maincardBody">Paper {index}</div>'
        '<div class="maincardFooter">Ada Lovelace &middot; Alan Turing</div></div>'
        for index, slot in enumerate(slots, start=1)
    )
    return f"<!DOCTYPE html><html><body>{cards}</body></html>"


def test_each_distinct_slot_is_parsed_once_per_page(monkeypatch):
    calls = []

    def counting(raw, *args, **kwargs):
        calls.append(raw)
        return parse_time_range(raw, *args, **kwargs)

    parse_time_range = build.parse_time_range
    monkeypatch.setattr(build, "parse_time_range", counting)
    slots = ["Mon Dec 5th 06:00 -- 09:30 PM"] * 3 + ["Tue Dec 6th 06:00 -- 09:30 PM"] * 2
    page = parse_page(
        _schedule(slots), url="https://nips.cc/Conferences/2016/Schedule", tz="America/New_York"
    )
    assert sorted(calls) == sorted(set(slots))
    starts = [talk.start.isoformat() for talk in page.talks]
    assert starts == ["2016-12-05T18:00:00-05:00"] * 3 + ["2016-12-06T18:00:00-05:00"] * 2


def test_a_slot_that_fails_fails_for_every_card_that_shows_it():
    slots = ["Mon Dec 5th 06:00 -- 09:30 PM"] * 2 + ["Tue Dec 6th 06:00 -- 09:30 PM"]
    page = parse_page(_schedule(slots), url="https://nips.cc/Conferences/2016/Schedule")
    assert [talk.start for talk in page.talks] == [None, None, None]
    assert [talk.time_raw for talk in page.talks] == slots
    (warning,) = [p.message for p in page.problems if p.stage == "time"]
    assert "talks 1-3" in warning and "--tz" in warning
