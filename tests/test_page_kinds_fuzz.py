"""Property-based fuzzing of the readers of every page kind besides the session page.

Mutated events lists, list pages, detail pages and schedules never raise anything but a
one-line PageError; what they do give is consistent: a session counts its talks, every event
has an id and its talk's fields, a detail page gives one event and nothing else, and links
are absolute http(s) ones.
"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedscrape import parse_page
from schedscrape.errors import PageError
from tests.conftest import FIXTURES
from tests.mutations import mutate

PAGES = {path.name: path.read_bytes() for path in sorted((FIXTURES / "pages").iterdir())}
MARKUP = [
    b"<div>",
    b"</div>",
    b"</a>",
    b"<h1 class='event-title'>",
    b'<div class="event-card" data-event-id="7">',
    b'<div class="displaycards" id="event-x">',
    b'<div class="maincard" id="maincard_9">',
    b'<div class="card-header"><h2 class="card-title">T</h2>',
    b'<span class="events-count-badge">1,000 Events</span>',
    b'<span class="touchup-time">',
    b'<span class="meta-pill"><i class="fa-map-marker"></i>',
    b'<a class="action-btn" href="javascript:alert(1)">OpenReview</a>',
    b'<a class="action-btn" href="//evil.example/x">Paper</a>',
    b'<link rel="canonical" href="http://[oops">',
    b'<script type="application/ld+json">{"@type": "ScholarlyArticle", "author": [1, null]}',
    b"</script>",
    b"&middot;",
    b"&#8901;",
    b"$\\",
    b"\x00",
    b"Jul 7, 10:30 AM - 12:15 PM",
    b"Feb 30, 10:30 AM - 99:15 PM",
    b"Mon Dec 5th 06:00 -- 09:30 PM @ Area 5 #1",
    b"Thu, Apr 23, 2026 \xe2\x80\xa2 9:00 AM \xe2\x80\x93 10:00 AM -03",
    b"Tue 12 Dec 05:45 PM XYZ",
]


@st.composite
def mutated(draw) -> bytes:
    data = PAGES[draw(st.sampled_from(sorted(PAGES)))]
    return mutate(draw, data, MARKUP)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(mutated(), st.sampled_from([None, "Asia/Seoul", "-03:00"]))
def test_mutated_pages_of_every_kind(data, tz):
    try:
        page = parse_page(data, source="fuzz", tz=tz)
    except PageError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if page.kind == "detail page":
        assert page.session is None and page.talks == [] and len(page.events) == 1
    else:
        assert page.session.talk_count == len(page.talks) > 0
        assert page.session.session_type == page.kind or page.kind == "session page"
        with_ids = [talk for talk in page.talks if talk.event_id]
        assert [event.event_id for event in page.events] == [t.event_id for t in with_ids]
        for talk, event in zip(with_ids, page.events, strict=True):
            assert (event.title, event.start, event.room) == (talk.title, talk.start, talk.room)
            assert event.session_ids == [page.session.session_id]
    for record in (page.session, *page.talks, *page.events):
        if record is None:
            continue
        if record.start and record.end:
            assert record.end >= record.start
        assert (record.start is None) == (record.utc_offset is None)
    for event in page.events:
        assert event.event_id and event.sources == ["fuzz"]
        for link in (event.url, event.openreview_url, event.paper_url, event.project_url):
            assert link is None or link.startswith(("http://", "https://"))
