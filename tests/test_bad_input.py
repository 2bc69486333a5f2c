"""Pages that give no session fail loudly with one clear line; good cards are never lost."""

import codecs
import subprocess
import sys
import time

import pytest

from schedscrape import parse_page
from schedscrape.errors import (
    BinaryPage,
    BlockedPage,
    EmptyPage,
    LoginRequired,
    NotASessionPage,
)
from tests.conftest import EDGE, FIXTURES, SESSIONS


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("empty.html", EmptyPage, "page is empty"),
        ("binary.png", BinaryPage, "binary data"),
        ("login-wall.html", LoginRequired, "login required"),
        ("event-detail-page.html", NotASessionPage, "no talk cards"),
        ("anti-bot-challenge.html", BlockedPage, "anti-bot challenge"),
        ("other-site.html", NotASessionPage, "not a session page"),
    ],
)
def test_pages_without_a_session_raise(name, error, message):
    with pytest.raises(error, match=message) as raised:
        parse_page((EDGE / name).read_bytes())
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize(
    "data", [b"   \n\t ", "", b"<html><body></body></html>", b"just some words\nand more words\n"]
)
def test_blank_and_contentless_pages_are_failures_not_zero_talks(data):
    with pytest.raises((EmptyPage, NotASessionPage)):
        parse_page(data)


def test_login_wall_in_plain_text():
    with pytest.raises(LoginRequired):
        parse_page(b"Please note: you must be logged in to view this content.\n")


def test_truncated_download_keeps_complete_cards():
    page = parse_page((EDGE / "truncated.html").read_bytes(), source="truncated.html")
    assert [t.event_id for t in page.talks] == ["41001", "41002", "41003"]
    assert page.session.talk_count == 3
    (problem,) = page.problems
    assert problem.severity == "error" and "truncated" in problem.message


def test_declared_windows_1252_is_decoded():
    page = parse_page((EDGE / "windows-1252.html").read_bytes())
    assert page.talks[1].authors == ["Émilie du Châtelet"]
    assert page.talks[2].authors[-1] == "Kurt Gödel"


def test_wrong_declared_encoding_falls_back_to_detection():
    data = (SESSIONS / "icml2025-poster-session.html").read_bytes()  # really UTF-8
    page = parse_page(data.replace(b'charset="utf-8"', b'charset="ascii"'))
    assert page.talks[1].authors == ["Émilie du Châtelet"]
    page = parse_page(data, encoding="ascii")  # a wrong HTTP charset
    assert page.talks[1].authors == ["Émilie du Châtelet"]


def test_unreadable_times_keep_time_raw_and_warn():
    page = parse_page((EDGE / "ambiguous-zone.html").read_bytes())
    assert all(t.start is None and t.end is None for t in page.talks)
    assert page.talks[0].time_raw == "Thu 21 July 12:30 - 12:35 IST"
    assert page.session.start is None and page.session.time_raw.endswith("IST")
    messages = [p.message for p in page.problems]
    assert len(messages) == 2  # one for the session, one naming all five talks
    assert "ambiguous time zone 'IST'" in messages[1] and "talks 1-5" in messages[1]
    assert all(p.severity == "warning" for p in page.problems)


NESTED = b"<html><body>" + b"<div>" * 200_000 + b"deep" + b"</div>" * 200_000 + b"</body></html>"


def test_200000_nested_tags_fail_fast():
    started = time.monotonic()
    with pytest.raises(NotASessionPage, match="nested too deeply"):
        parse_page(NESTED)
    assert time.monotonic() - started < 5


def test_deep_nesting_inside_a_card_keeps_the_card():
    page = (SESSIONS / "icml2025-poster-session.html").read_bytes()
    deep = page.replace(b"<p>We cluster", b"<p>" * 100_000 + b"We cluster", 1)
    parsed = parse_page(deep)
    assert len(parsed.talks) == 4


def test_25_mb_page_without_a_session_in_bounded_time_and_memory():
    code = """
import resource, time
from schedscrape import parse_page
from schedscrape.errors import NotASessionPage
data = b"<html><body>" + b"<p>Lorem ipsum dolor sit amet, consectetur adipiscing.</p>\\n" * 450_000
started = time.monotonic()
try:
    parse_page(data + b"</body></html>")
except NotASessionPage as exc:
    print(exc)
print(time.monotonic() - started)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    message, seconds, peak_kib = result.stdout.strip().splitlines()
    assert message.startswith("not a session page")
    assert float(seconds) < 20
    assert int(peak_kib) < 1024 * 1024  # under 1 GiB for a 25 MB page


def test_latin1_page_declared_utf8_is_decoded_by_detection():
    text = (SESSIONS / "icml2025-poster-session.html").read_text(encoding="utf-8")
    data = text.replace("&#8901;", "&middot;").encode("cp1252")  # meta still says utf-8
    parsed = parse_page(data)
    assert parsed.talks[1].authors == ["Émilie du Châtelet"]


# Wide labels on ASCII-compatible bytes; single-byte labels that decode anything (into
# mojibake); labels whose codecs are not ASCII-compatible at all.
LYING_LABELS = [
    "utf-16",
    "UTF-16LE",
    "utf-16be",
    "utf-32",
    "utf-32-be",
    "iso-8859-1",
    "koi8-r",
    "shift_jis",
    "cp037",
    "utf-7",
]
ENCODED_FIXTURES = [
    SESSIONS / "icml2025-poster-session.html",
    SESSIONS / "icml2022-oral-session.html",
    FIXTURES / "renderings" / "icml2025-poster-session.txt",
]


def _without_hash(page):
    """The parse as plain data, apart from the hash of the bytes it came from."""
    drop = {"content_sha256"}
    return (
        page.session.model_dump(exclude=drop),
        [talk.model_dump(exclude=drop) for talk in page.talks],
        page.problems,
    )


@pytest.mark.parametrize("label", LYING_LABELS)
@pytest.mark.parametrize("path", ENCODED_FIXTURES, ids=lambda path: path.name)
def test_a_lying_charset_gives_the_same_records_as_the_right_one(path, label):
    data = path.read_bytes()
    truth = parse_page(data, source="page", encoding="utf-8")
    lied_by_http = parse_page(data, source="page", encoding=label)
    assert (lied_by_http.session, lied_by_http.talks, lied_by_http.problems) == (
        truth.session,
        truth.talks,
        truth.problems,
    )
    if path.suffix == ".html":
        lying_meta = data.replace(b'charset="utf-8"', f'charset="{label}"'.encode(), 1)
        assert lying_meta != data
        assert _without_hash(parse_page(lying_meta, source="page")) == _without_hash(truth)


# "utf-16" and "utf-32" write a BOM, the -le/-be codecs none; servers mostly say "utf-16".
@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le"])
@pytest.mark.parametrize("header", ["right", "generic", "wrong", None])
def test_real_utf16_and_utf32_pages_parse(codec, header):
    path = SESSIONS / "icml2025-poster-session.html"
    truth = parse_page(path.read_bytes(), source="page")
    data = path.read_text(encoding="utf-8").encode(codec)
    label = {"right": codec, "generic": codec[:6], "wrong": "iso-8859-1", None: None}[header]
    assert _without_hash(parse_page(data, source="page", encoding=label)) == _without_hash(truth)
    # A download cut inside a code unit loses at most that character, never the page.
    cut = parse_page(data[:-3], source="page", encoding=label)
    assert [t.title for t in cut.talks] == [t.title for t in truth.talks]


@pytest.mark.parametrize("path", ENCODED_FIXTURES, ids=lambda path: path.name)
def test_a_utf8_bom_is_dropped(path):
    data = path.read_bytes()
    with_bom = parse_page(codecs.BOM_UTF8 + data, source="page")
    assert _without_hash(with_bom) == _without_hash(parse_page(data, source="page"))
