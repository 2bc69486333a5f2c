"""What one page may cost and give. A 25 MB page with no session fails in under 300 MB of
memory, as the README says; a page with more talks or text than any session is refused whole.

Each big page is parsed in a fresh interpreter (benchmarks/page_memory.py), whose peak resident
set size counts the interpreter, the imports, the page's bytes and the parse."""

import pytest

from benchmarks.page_memory import MB, PAGES, measure
from schedscrape import parse_page
from schedscrape.errors import PageTooBig
from schedscrape.parse.refusals import MAX_TALKS

PEAK_MB = 300  # the README's figure


def parse_in_a_fresh_process(name: str, size: int, tmp_path) -> dict:
    page = tmp_path / "page"
    page.write_bytes(PAGES[name](size))
    figures = measure(page)
    assert figures["peak_mb"] < PEAK_MB, figures
    assert figures["seconds"] < 20, figures
    return figures


@pytest.mark.parametrize(
    "name",
    [
        "paragraphs",
        "many divs",  # 1.3 million tags: 675 MB before
        "attributes",  # the biggest tree for its bytes
        "windows-1252",  # transcoded to UTF-8 first
        "deep nesting",
        "attributes, classes named",  # parsed in parts, each freed once read
        "big head, classes named",  # all in <head>: 888 MB before
        "instructions, classes named",
        "second page, classes named",  # after </html>: left out, as lxml leaves it out
    ],
)
def test_a_25_mb_page_without_a_session_fails_under_300_mb(name, tmp_path):
    figures = parse_in_a_fresh_process(name, 25 * MB, tmp_path)
    assert figures["outcome"].startswith("error: not a session page"), figures


def test_a_25_mb_page_with_its_session_at_the_end_is_read_under_300_mb(tmp_path):
    assert parse_in_a_fresh_process("session at the end", 25 * MB, tmp_path)["outcome"] == (
        "1 talks"
    )


@pytest.mark.parametrize(
    ("name", "size", "error"),
    [
        ("text rendering", 27 * MB, "characters of text, over the limit of 16,000,000"),
        ("text, endless talks", 15 * MB, "over 250,000 lines of text"),
        ("text, endless talks", 3 * MB, f"more than {MAX_TALKS:,} talks"),
        ("html, endless cards", 25 * MB, f"more than {MAX_TALKS:,} talks"),
        ("one big card", 25 * MB, "a talk card or session header over 2 MB"),
        ("comments after the end, classes named", 25 * MB, "over 1,000 comments after its end"),
    ],
)
def test_a_page_bigger_than_any_session_is_refused_whole(name, size, error, tmp_path):
    outcome = parse_in_a_fresh_process(name, size, tmp_path)["outcome"]
    assert outcome.startswith("error: page too big: ") and error in outcome, outcome


def rendering_with(talks: int) -> str:
    talk = "Thu 21 July 12:30 - 12:35 PDT\nTitle {n}\nAnn Author\nAn abstract.\n"
    return "Oral Session\nHall G\n" + "".join(talk.format(n=n) for n in range(talks))


def test_the_talk_limit_is_exact():
    assert len(parse_page(rendering_with(MAX_TALKS), year=2022).talks) == MAX_TALKS
    with pytest.raises(PageTooBig, match=f"more than {MAX_TALKS:,} talks"):
        parse_page(rendering_with(MAX_TALKS + 1), year=2022)


def test_a_25_mb_page_naming_only_a_list_class_is_refused_under_300_mb(tmp_path):
    """The readers of lists and detail pages take a whole tree: a page too big for one is
    refused before it is built (it named `displaycards`, so it went to them)."""
    page = tmp_path / "page"
    page.write_bytes(b"<style>.displaycards { margin: 0 }</style>" + PAGES["attributes"](25 * MB))
    figures = measure(page)
    assert figures["peak_mb"] < PEAK_MB, figures
    assert figures["outcome"].startswith("error: page too big: over 1,000,000 tags"), figures
