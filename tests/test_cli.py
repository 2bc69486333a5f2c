"""The command line: exit codes, one-line errors, a summary, and outputs that are all written."""

import io
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest

import schedscrape.progress as progress
from schedscrape.cli import build_parser, main
from schedscrape.progress import Progress
from schedscrape.wording import plural
from tests.conftest import EDGE, SESSIONS


def run(*argv):
    return main([str(arg) for arg in argv])


def test_parse_folder_of_good_pages_exits_0(tmp_path, capsys):
    assert run("parse", SESSIONS, "-o", tmp_path) == 0
    err = capsys.readouterr().err
    assert "3 pages (3 ok, 0 failed): 3 sessions, 15 talks" in err
    assert len(pd.read_parquet(tmp_path / "talks.parquet")) == 15
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["pages"] == 3 and manifest["command"] == "parse"


def test_mixed_folder_writes_the_good_and_exits_1(tmp_path, capsys):
    mixed = tmp_path / "pages"
    shutil.copytree(EDGE, mixed)
    shutil.copy(SESSIONS / "icml2025-poster-session.html", mixed / "good.html")
    out = tmp_path / "out"
    assert run("parse", mixed, "-o", out) == 1
    err = capsys.readouterr().err
    assert "login-wall.html: login required" in err
    assert "empty.html: page is empty" in err
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    failed = {e["source"].rsplit("/", 1)[-1] for e in errors if e["severity"] == "error"}
    assert failed == {p.name for p in EDGE.iterdir()} - {"windows-1252.html", "ambiguous-zone.html"}
    assert all(set(e) == {"source", "stage", "severity", "message"} for e in errors)
    sessions = pd.read_json(out / "sessions.json", dtype={"session_id": str})
    assert set(sessions["session_id"]) == {"50201", "50202", "20120"}


def test_missing_path_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run("parse", tmp_path / "nope.html", "-o", tmp_path / "out")
    assert exited.value.code == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "argv",
    [["parse"], ["parse", "x", "--format", "xml"], ["parse", "x", "--year", "22"], ["frobnicate"]],
)
def test_bad_options_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        run(*argv)
    assert exited.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_url_goes_with_one_page(tmp_path):
    with pytest.raises(SystemExit) as exited:
        run("parse", SESSIONS, "--url", "https://icml.cc/virtual/2022/session/1", "-o", tmp_path)
    assert exited.value.code == 2


@pytest.mark.parametrize(
    "url",
    [
        "icml.cc/virtual/2022/session/1",  # no scheme
        "//icml.cc/virtual/2022/session/1",
        "ftp://icml.cc/virtual/2022/session/1",
        "javascript:alert(1)",
        "https://",
        "",
    ],
)
def test_parse_url_must_be_a_web_address(tmp_path, capsys, url):
    """The same check as scrape's URLs: a page's address is absolute http(s)."""
    page = SESSIONS / "icml2022-hall-g-excerpt.txt"
    with pytest.raises(SystemExit) as exited:
        run("parse", page, "--url", url, "-o", tmp_path / "out")
    assert exited.value.code == 2
    assert f"argument --url: not an http(s) address: {url!r}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_single_format_and_options(tmp_path):
    page = SESSIONS / "icml2022-hall-g-excerpt.txt"
    assert (
        run(
            "parse",
            page,
            "-o",
            tmp_path,
            "--format",
            "json",
            "--year",
            "2022",
            "--conference",
            "ICML",
        )
        == 0
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "errors.jsonl",
        "event_claims.json",
        "events.json",
        "manifest.json",
        "sessions.json",
        "talk_authors.json",
        "talks.json",
    ]
    (session,) = json.loads((tmp_path / "sessions.json").read_text())
    assert session["conference"] == "ICML" and session["year"] == 2022
    assert (tmp_path / "errors.jsonl").read_text() == ""


def test_unwritable_output_is_one_clear_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert run("parse", SESSIONS, "-o", blocker / "out") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("schedscrape: error:") and "Traceback" not in "\n".join(err)


def test_unreadable_cache_is_one_clear_line(tmp_path, capsys):
    cache = tmp_path / "cache.sqlite"
    cache.write_bytes(b"not a database, " * 64)
    url = "https://icml.cc/virtual/2022/session/1"  # never fetched: the cache fails first
    assert run("scrape", url, "--cache", cache, "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err.strip().splitlines()
    message = f"cannot open the HTTP cache {cache}: file is not a database"
    assert err == [f"schedscrape: error: {message}"]


def test_console_script_runs_as_installed(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "schedscrape",
            "parse",
            str(EDGE / "empty.html"),
            "-o",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0] == f"schedscrape: error: {EDGE / 'empty.html'}: page is empty"
    )
    assert "Traceback" not in result.stderr


def test_bad_input_catalogue_one_line_each(tmp_path, capsys):
    """Every catalogue case: exit 1, one stderr line, one errors.jsonl entry; good pages kept."""
    pages = tmp_path / "pages"
    shutil.copytree(EDGE, pages)
    (pages / "nested.html").write_bytes(b"<html><body>" + b"<b>" * 200_000 + b"</body></html>")
    (pages / "good.txt").write_bytes((SESSIONS / "icml2022-hall-g-excerpt.txt").read_bytes())
    (pages / "control\x1b[31mchars.html").write_bytes(b"")  # a hostile file name
    out = tmp_path / "out"
    assert run("parse", pages, "-o", out) == 1
    stderr = capsys.readouterr().err.splitlines()
    errors = [json.loads(line) for line in (out / "errors.jsonl").read_text().splitlines()]
    failed = sorted(e["source"].rsplit("/", 1)[-1] for e in errors if e["severity"] == "error")
    assert failed == sorted(
        [
            "anti-bot-challenge.html",
            "binary.png",
            "control\x1b[31mchars.html",
            "empty.html",
            "event-detail-page.html",
            "login-wall.html",
            "nested.html",
            "other-site.html",
            "truncated.html",
        ]
    )
    error_lines = [line for line in stderr if line.startswith("schedscrape: error:")]
    assert len(error_lines) == len(failed)
    assert all("\x1b" not in line for line in stderr)  # escaped before reaching the terminal
    assert any("control\\x1b[31mchars.html" in line for line in error_lines)
    sessions = json.loads((out / "sessions.json").read_text(encoding="utf-8"))
    assert len(sessions) == 4  # good.txt, truncated (3 complete cards), windows-1252, zones


def test_zone_option_resolves_an_ambiguous_label(tmp_path):
    page = EDGE / "ambiguous-zone.html"
    assert run("parse", page, "-o", tmp_path, "--zone", "IST=+05:30", "--format", "json") == 0
    talk = json.loads((tmp_path / "talks.json").read_text(encoding="utf-8"))[0]
    assert (talk["start"], talk["timezone"]) == ("2022-07-21T12:30:00+05:30", "IST")
    assert (tmp_path / "errors.jsonl").read_text() == ""
    with pytest.raises(SystemExit) as exited:
        run("parse", page, "-o", tmp_path, "--zone", "IST=half past five")
    assert exited.value.code == 2


def test_scrape_refuses_what_is_not_a_web_address(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run("scrape", "notaurl", "-o", tmp_path / "out", "--cache", tmp_path / "c.sqlite")
    assert exited.value.code == 2
    assert "not an http(s) address: 'notaurl'" in capsys.readouterr().err


def test_crawl_entry_must_name_a_conference_year(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run("crawl", "nosuchconf", "2022", "-o", tmp_path / "out")
    assert exited.value.code == 2
    assert "give a calendar URL or NAME YEAR" in capsys.readouterr().err


OUT_OF_RANGE = {
    "--rate": ["nan", "inf", "-inf", "1e400", "0", "-0", "-0.0", "-1", "1e-320", "1e9", "x", ""],
    "--concurrency": ["0", "-0", "-1", "99999999999", "1e3", "1.5", "nan", "²"],
    "--timeout": ["nan", "inf", "-inf", "1e400", "0", "-0.0", "1e300", "1e-9", "x"],
    "--retries": ["-1", "11", "99999999999", "1.5", "nan", "inf", "²"],
    "--max-age": ["99999999999d", "1" * 400, "1e400", "nan", "inf", "-1", "-0", "1w", ""],
    "--user-agent": ["lab\ncrawler", "lab\x1b[31mcrawler", "lab\rX-Evil: 1", "crawler ✓"],
}


@pytest.mark.parametrize("command", ["scrape", "crawl"])
@pytest.mark.parametrize(
    ("option", "value"),
    [(option, value) for option, values in OUT_OF_RANGE.items() for value in values],
)
def test_out_of_range_option_is_a_usage_error(tmp_path, capsys, command, option, value):
    closed = "http://127.0.0.1:9/virtual/2022/calendar"  # never the internet, even if accepted
    with pytest.raises(SystemExit) as exited:
        run(
            command,
            closed,
            "--cache",
            tmp_path / "c",
            "--retries",
            0,
            option,
            value,
            "-o",
            tmp_path / "o",
        )
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: " in err.splitlines()[-1]
    assert "Traceback" not in err and "\x1b" not in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("option", "value", "parsed"),
    [
        ("--rate", "0.001", 0.001),
        ("--rate", "100000", 100000.0),
        ("--concurrency", "1", 1),
        ("--concurrency", "100", 100),
        ("--timeout", "0.001", 0.001),
        ("--timeout", "3600", 3600.0),
        ("--retries", "0", 0),
        ("--retries", "-0", 0),  # negative zero is zero
        ("--retries", "10", 10),
        ("--max-age", "0", timedelta(0)),
        ("--max-age", "999999999d", timedelta(days=999999999)),
        ("--user-agent", "lab-crawler (mailto:me@example.org)", None),
    ],
)
def test_options_at_their_bounds_are_accepted(option, value, parsed):
    args = build_parser().parse_args(["scrape", "https://icml.cc/", option, value])
    got = getattr(args, option.lstrip("-").replace("-", "_"))
    assert got == (value if parsed is None else parsed)


HOSTILE = "evil\x1b[2J\x1b]0;pwned\x07\u202ename"  # clear screen, set title, bidi override


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", f"/nonexistent/{HOSTILE}.html"],  # no such file
        ["parse", str(SESSIONS), f"--{HOSTILE}"],  # an unrecognised argument
        ["parse", str(SESSIONS), "--format", HOSTILE],
        ["scrape", f"https://icml.cc/{HOSTILE}", "--cache", f"{{blocker}}/{HOSTILE}/c.sqlite"],
        ["parse", str(SESSIONS / "icml2022-hall-g-excerpt.txt"), "-o", f"{{blocker}}/{HOSTILE}"],
    ],
    ids=["no such file", "unrecognised argument", "bad format", "cache folder", "output folder"],
)
def test_hostile_names_reach_stderr_escaped(tmp_path, capsys, argv):
    """File names and arguments are escaped on every path to stderr: usage errors, argparse's
    own errors and operating-system errors."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder is wanted")
    argv = [arg.replace("{blocker}", str(blocker)) for arg in argv]
    try:
        code = main(argv)
    except SystemExit as exited:
        code = exited.code
    assert code in (1, 2)
    err = capsys.readouterr().err
    assert "\\x1b[2j" in err.lower() and "\\u202e" in err  # named, escaped
    assert not any(char in err for char in "\x1b\x07\u202e")
    assert "Traceback" not in err


# --- conventional touches: --quiet/--verbose, usage errors that help ----------------------


def test_quiet_prints_the_summary_only(tmp_path, capsys):
    mixed = tmp_path / "pages"
    shutil.copytree(EDGE, mixed)
    assert run("parse", mixed, "-o", tmp_path / "out", "--quiet") == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("schedscrape: 9 pages (2 ok, 7 failed): ")
    errors = (tmp_path / "out" / "errors.jsonl").read_text().splitlines()
    assert len(errors) == 9  # 7 errors, 2 warnings: quiet on stderr, complete in the folder


def test_quiet_shows_no_progress_bar(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr(progress.sys, "stderr", terminal)
    progress.set_verbosity(progress.QUIET)
    try:
        with Progress(total=2, unit="page") as bar:
            bar.advance()
            progress.report("schedscrape: error: a page")
    finally:
        progress.set_verbosity(progress.NORMAL)
    assert terminal.getvalue() == ""


def test_verbose_prints_each_page(tmp_path, capsys):
    assert run("parse", SESSIONS, "-o", tmp_path, "-v", "--format", "json") == 0
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": ")[:2] for line in lines[:-1]] == [
        ["schedscrape", "ok"],
        ["schedscrape", "ok"],
        ["schedscrape", "ok"],
    ]
    assert f"schedscrape: ok: {SESSIONS / 'icml2022-oral-session.html'}: " in "\n".join(lines)
    assert lines[-1].startswith("schedscrape: 3 pages (3 ok, 0 failed)")


@pytest.mark.parametrize("command", ["parse", "scrape", "crawl"])
def test_quiet_and_verbose_are_options_of_the_page_commands(command):
    target = "x" if command == "parse" else "https://icml.cc/virtual/2022/calendar"
    assert build_parser().parse_args([command, target, "-q"]).quiet
    assert build_parser().parse_args([command, target, "--verbose"]).verbose
    with pytest.raises(SystemExit):
        build_parser().parse_args([command, target, "-q", "-v"])


@pytest.mark.parametrize(
    ("argv", "hint"),
    [
        (["parse", "x", "--fromat", "csv"], "(did you mean --format?)"),
        (["scrape", "https://icml.cc/", "--cokies", "c.txt"], "(did you mean --cookies?)"),
        (["crawl", "icml", "2022", "--dryrun"], ""),
    ],
)
def test_a_typo_in_a_subcommand_option_shows_that_subcommand_usage(capsys, argv, hint):
    with pytest.raises(SystemExit) as exited:
        run(*argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: schedscrape {argv[0]} ")
    last = err.splitlines()[-1]
    assert last.startswith(f"schedscrape {argv[0]}: error: unrecognized arguments: ")
    assert last.endswith(hint)


@pytest.mark.parametrize("given", ["file", "no scheme"])
def test_scrape_on_a_local_file_suggests_parse(tmp_path, capsys, monkeypatch, given):
    page = tmp_path / "saved.html"
    page.write_bytes((SESSIONS / "icml2025-poster-session.html").read_bytes())
    monkeypatch.chdir(tmp_path)
    target = str(page) if given == "file" else "icml.cc/virtual/2025/session/50201"
    with pytest.raises(SystemExit) as exited:
        run("scrape", target, "-o", tmp_path / "out", "--cache", tmp_path / "c.sqlite")
    assert exited.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("schedscrape scrape: error: argument URL: ")
    assert "`schedscrape parse PATH`" in last
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["parse", "scrape", "crawl"])
def test_output_that_is_a_file_is_a_usage_error(tmp_path, capsys, command):
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me")
    target = str(SESSIONS) if command == "parse" else "http://127.0.0.1:9/virtual/2022/calendar"
    with pytest.raises(SystemExit) as exited:
        run(command, target, "-o", existing, "--format", "json")
    assert exited.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last == (
        f"schedscrape {command}: error: argument -o/--output: '{existing}' is a file, not a folder"
    )
    assert existing.read_text() == "keep me"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_default_output_that_is_a_file_is_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("output").write_text("keep me")
    with pytest.raises(SystemExit) as exited:
        run("parse", SESSIONS)
    assert exited.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1].endswith("'output' is a file, not a folder")
    assert Path("output").read_text() == "keep me"


@pytest.mark.parametrize(
    ("number", "noun", "said"),
    [
        (1, "session", "1 session"),
        (0, "session", "0 sessions"),
        (2, "talk", "2 talks"),
        (1, "retry", "1 retry"),
        (3, "retry", "3 retries"),
        (2, "day", "2 days"),
        (2, "cache hit", "2 cache hits"),
        (2, "process", "2 processes"),
        (1, "error", "1 error"),
    ],
)
def test_counted_nouns_agree(number, noun, said):
    assert plural(number, noun) == said


def test_summary_of_one_page_is_singular(tmp_path, capsys):
    assert run("parse", EDGE / "empty.html", "-o", tmp_path) == 1
    summary = capsys.readouterr().err.splitlines()[-1]
    assert summary.startswith("schedscrape: 1 page (0 ok, 1 failed): 0 sessions, 0 talks, 1 error")
