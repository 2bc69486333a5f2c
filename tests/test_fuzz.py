"""Property-based fuzzing of every parser entry point (hypothesis).

Invariants: no exception but a PageError; clean text keeps every word of the raw text; an end
is never before its start. Fast by default; SCHEDSCRAPE_HYPOTHESIS=thorough for a long run.
"""

import re
import unicodedata
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedscrape import parse_page
from schedscrape.errors import PageError
from schedscrape.parse import html
from schedscrape.parse.authors import split_authors
from tests.conftest import REAL_PAGE, SESSIONS
from tests.mutations import mutate

POSTER = (SESSIONS / "icml2025-poster-session.html").read_bytes()
ORAL = (SESSIONS / "icml2022-oral-session.html").read_bytes()
MARKUP = [
    b"<div>",
    b"</div>",
    b"<p>",
    b"</p>",
    b'<div class="track-schedule-card">',
    b'<div class="abstract">',
    b"&middot;",
    b"&amp;",
    b"<!--",
    b"-->",
    b"<script>",
    b"$",
    b"\\",
    b"{",
    b"}",
    b"\x00",
    b"\xff\xfe",
    b"Thu 21 July 12:30 - 12:35 PDT",
    b"Wed 16 Jul 11 a.m. XYZ \xe2\x80\x94 1 p.m. XYZ",
    b"</html>",
]


def check(data: bytes) -> None:
    """parse_page's contract on any input."""
    try:
        page = parse_page(data, source="fuzz")
    except PageError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert page.session.talk_count == len(page.talks) > 0
    assert [talk.position for talk in page.talks] == list(range(1, len(page.talks) + 1))
    for record in (page.session, *page.talks):
        if record.start and record.end:
            assert record.end >= record.start
    for talk in page.talks:
        for raw, clean in ((talk.title_raw, talk.title), (talk.abstract_raw, talk.abstract)):
            if raw:
                assert_words_kept(raw, clean or "")


def assert_words_kept(raw: str, clean: str) -> None:
    kept = " ".join(_words(clean))
    for word in _words(re.sub(r"\\[A-Za-z]+", " ", raw)):
        assert word in kept, (word, raw[:200], clean[:200])


def _words(text: str) -> list[str]:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", folded)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data):
    check(data)


@st.composite
def mutated(draw, source: bytes) -> bytes:
    return mutate(draw, source, MARKUP)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(mutated(POSTER), mutated(ORAL)))
def test_mutated_session_markup(data):
    check(data)


if REAL_PAGE.exists():

    @settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow])
    @given(mutated(REAL_PAGE.read_bytes()))
    def test_mutated_real_page(data):
        check(data)


TIME_LINES = st.sampled_from(
    [
        "Thu 21 July 12:30 - 12:35 PDT",
        "Wed 16 Jul 11 a.m. PDT — 1:30 p.m. PDT",
        "Tue 12 Dec 11 p.m. EST — midnight EST",
        "Fri 1 March 10:00 - 11:00 +0530",
        "Thu 21 July 12:30 - 12:35 IST",
        "Sat 23 Jul 07:00 a.m.",
    ]
)
PROSE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)
LATEXISH = st.lists(
    st.sampled_from(["$\\alpha$", "\\textbf{G}en", "84.6%", "``q''", "\\glam", "{", "}", "&", "~"])
    | PROSE,
    max_size=8,
).map(" ".join)


@st.composite
def text_rendering(draw) -> str:
    lines = ["Skip to yearly menu bar Skip to main content", draw(PROSE), "Moderator: A. B"]
    for _ in range(draw(st.integers(0, 5))):
        lines += [
            draw(TIME_LINES),
            draw(LATEXISH),
            " · ".join(draw(st.lists(PROSE, max_size=4))),
            draw(LATEXISH),
        ]
    return "\n\n".join(lines)


@given(text_rendering())
def test_text_renderings(text):
    check(text.encode("utf-8"))


@given(st.text(max_size=200))
def test_author_splitter(text):
    names = split_authors(text)
    assert all(
        name and name == name.strip() and "·" not in name and "⋅" not in name for name in names
    )
    assert_words_kept(text.replace("&", " "), " ".join(names))


def parse_outcome(data: bytes):
    try:
        page = parse_page(data, source="fuzz")
    except PageError as exc:
        return type(exc)
    return page.session, page.talks, page.problems


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        mutated(POSTER),
        mutated(ORAL),
        *([mutated(REAL_PAGE.read_bytes())] if REAL_PAGE.exists() else []),  # ../shared absent
    ),
    st.sampled_from([8 * 1024, 16 * 1024, 64 * 1024]),
)
def test_a_page_read_in_parts_reads_as_read_whole(data, chunk):
    """Big pages are read a chunk at a time, each finished part freed: same records as a page
    parsed whole, whatever the chunk."""
    whole = parse_outcome(data)
    with patch.object(html, "_WHOLE_TREE_MAX", 0), patch.object(html, "_CHUNK", chunk):
        in_parts = parse_outcome(data)
    if isinstance(whole, type):  # an error: one with no session markup is judged by its start
        assert isinstance(in_parts, type) and issubclass(in_parts, PageError)
    else:
        assert in_parts == whole
