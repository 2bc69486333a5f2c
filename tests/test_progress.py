"""Progress on stderr: a bar on a terminal, plain lines now and then in a log."""

import io
import time

import schedscrape.progress as progress
from schedscrape.progress import Progress, report


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_log_gets_a_plain_line_now_and_then(monkeypatch, capsys):
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    with Progress(total=4, unit="session") as bar:
        for _ in range(4):
            bar.advance("x")
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        "schedscrape: 1 of 4 sessions done (25 %) after 0 s",
        "schedscrape: 2 of 4 sessions done (50 %) after 0 s",
        "schedscrape: 3 of 4 sessions done (75 %) after 0 s",
    ]  # the last item is left to the run's summary line


def test_short_run_in_a_log_stays_quiet(capsys):
    with Progress(total=3, unit="page") as bar:
        for _ in range(3):
            bar.advance()
    assert capsys.readouterr().err == ""


def test_terminal_gets_a_bar_and_messages_above_it(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    with Progress(total=2, unit="page") as bar:
        bar.advance("first\x1b[31m")
        report("schedscrape: error: something")
        bar.advance()
    shown = terminal.getvalue()
    assert "schedscrape: error: something\n" in shown
    assert "1/2 [" in shown  # the bar (tqdm redraws it at most every 0.1 s)
    assert "first\\x1b[31m" in shown  # the label escaped, never raw
    assert "\x1b[31m" not in shown
    assert progress._bar_showing is None  # closed: later messages print plainly


def test_duration_reads_in_minutes():
    assert progress._duration(65.4) == "1 min 05 s"
    assert progress._duration(9.6) == "10 s"


def test_parts_are_counted_each_and_can_grow(monkeypatch, capsys):
    """A crawl of two entries: each entry's count, and the pages found along the way."""
    monkeypatch.setattr(progress, "LOG_EVERY", 0.0)
    with Progress(total=2, unit="page", parts={"icml 2025": 1, "iclr 2026": 1}) as bar:
        bar.advance(part="icml 2025")
        bar.grow(3, part="icml 2025")
        bar.advance(part="iclr 2026")
        bar.advance(part="icml 2025")
    assert capsys.readouterr().err.splitlines() == [
        "schedscrape: 1 of 2 pages done (50 %) after 0 s: icml 2025 1/1, iclr 2026 0/1",
        "schedscrape: 2 of 5 pages done (40 %) after 0 s: icml 2025 1/4, iclr 2026 1/1",
        "schedscrape: 3 of 5 pages done (60 %) after 0 s: icml 2025 2/4, iclr 2026 1/1",
    ]


def test_terminal_bar_shows_each_parts_count(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    with Progress(total=2, unit="page", parts={"a": 1, "b": 1}) as bar:
        bar.grow(1, part="b")
        bar.advance("x", part="b")
        time.sleep(0.15)  # tqdm redraws at most every 0.1 s
        bar.advance("y", part="a")
    shown = terminal.getvalue()
    assert "a 1/1, b 1/2" in shown and "2/3 [" in shown
