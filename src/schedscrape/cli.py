"""Command line: a thin layer over `schedscrape.parse_page` and the exporters.

Exit status: 0 every page gave a session; 1 some pages failed (everything else is still
written); 2 the command itself is wrong. Users never see a traceback.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import os
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from http.cookiejar import MozillaCookieJar
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from schedscrape.check import check_folder
from schedscrape.check import render as render_check
from schedscrape.crawl import Crawl, EntryCounts
from schedscrape.discover import (
    EVENTS_LISTS,
    SESSION_PAGES,
    DiscoveryError,
    Entry,
    parse_entries,
)
from schedscrape.errors import PageError, ScheduleError
from schedscrape.export import WRITERS, Dataset, RunReport, write_outputs
from schedscrape.fetch import (
    DEADLINE_PER_TIMEOUT,
    CookieFileError,
    FetchOptions,
    default_cache_path,
    load_cookies,
)
from schedscrape.info import render, summarise
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, check_size, parse_page
from schedscrape.parse.times import TimeParseError, local_zone, offset_zone
from schedscrape.progress import NORMAL, QUIET, VERBOSE, Progress, set_verbosity, terminal_safe
from schedscrape.progress import report as report_line
from schedscrape.scrape import Outcome, Scraper
from schedscrape.wording import plural

DEFAULT_FORMATS = "csv,json,parquet"
EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_DISAGREE = 1  # `check`: the sources differ


class UsageError(Exception):
    """The command itself is wrong: exit 2."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors made safe for a terminal: they quote the user's arguments
    (an unrecognised one, say), which may carry escape sequences."""

    def error(self, message: str) -> NoReturn:
        super().error(terminal_safe(message))


class _CommandParser(_Parser):
    """A subcommand's parser. An argument it does not know is its own error, so the message
    shows its usage; argparse leaves that to the top-level parser, whose usage is no help."""

    def parse_known_args(
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        namespace, unknown = super().parse_known_args(args, namespace)
        if unknown:
            options = [option for action in self._actions for option in action.option_strings]
            near = difflib.get_close_matches(unknown[0], options, n=1)
            hint = f" (did you mean {near[0]}?)" if unknown[0].startswith("-") and near else ""
            self.error(f"unrecognized arguments: {' '.join(unknown)}{hint}")
        return namespace, unknown


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="schedscrape",
        description="Turn conference schedule pages into clean, validated data.",
    )
    from schedscrape import __version__

    parser.add_argument("--version", action="version", version=f"schedscrape {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_CommandParser
    )

    parse = commands.add_parser(
        "parse",
        help="parse saved session pages (HTML or text renderings) offline",
        description="Parse saved session pages offline. PATH is a file or a folder "
        "(every page inside, recursively); HTML and plain text are told apart by content.",
    )
    parse.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _add_output_options(parse)
    parse.add_argument(
        "--url", type=_web_address, help="the page's original http(s) address (one page only)"
    )
    parse.add_argument("--year", type=_year, help="the conference year, if the page lacks it")
    parse.add_argument("--conference", help='the conference name ("ICML"), if the page lacks it')

    scrape = commands.add_parser(
        "scrape",
        help="fetch the given session pages and parse them",
        description="Fetch session pages politely (robots.txt, rate limit, retries, cache) "
        "and parse them.",
    )
    scrape.add_argument("urls", nargs="+", metavar="URL", type=_page_address)
    _add_output_options(scrape)
    _add_fetch_options(scrape)

    crawl = commands.add_parser(
        "crawl",
        help="discover every session of conference-years and scrape them",
        description="Start from pages that list sessions (calendar URLs, or NAME YEAR such "
        "as `icml 2022`), find every session page of each conference-year and scrape them; "
        "where an entry page links no session page (the 2026 sites), crawl the year's events "
        "lists it links. Several entries are crawled at once, each host at its own rate.",
    )
    crawl.add_argument(
        "entry",
        nargs="+",
        metavar="ENTRY",
        help="a calendar URL, or NAME YEAR (icml, neurips, iclr, mlsys, ...); any number, mixed",
    )
    crawl.add_argument(
        "--details",
        action="store_true",
        help="also fetch each event's detail page (links, full abstract, exact time)",
    )
    crawl.add_argument(
        "--dry-run",
        action="store_true",
        help="print the pages the crawl would fetch, one URL a line, and fetch none of them",
    )
    _add_output_options(crawl)
    _add_fetch_options(crawl)

    check = commands.add_parser(
        "check",
        help="report where the sources in an output folder disagree",
        description="Compare what the folder's sources say of each event: events a source "
        "should show and does not, titles, authors, times and rooms that differ, and feed "
        "problems. The report goes to stdout and to DIR/check.json. Exit status 0 when the "
        "sources agree, 1 when they differ.",
    )
    check.add_argument("folder", type=Path, metavar="DIR")

    info = commands.add_parser(
        "info",
        help="summarise what an output folder holds",
        description="Summarise an output folder: per conference-year counts, time range, "
        "problems by kind, and duplicates.",
    )
    info.add_argument("folder", type=Path, metavar="DIR")
    info.add_argument("--json", action="store_true", help="print the summary as JSON")
    return parser


def _add_fetch_options(parser: argparse.ArgumentParser) -> None:
    fetch = parser.add_argument_group("fetch options")
    fetch.add_argument(
        "--rate",
        type=_between(float, 0.001, 100_000),
        default=1.0,
        metavar="R",
        help="requests per second per host, 0.001 to 100000 (default: 1)",
    )
    fetch.add_argument(
        "--concurrency",
        type=_between(int, 1, 100),
        default=4,
        metavar="N",
        help="requests in flight at once, 1 to 100 (default: 4)",
    )
    fetch.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="PATH",
        help=f"HTTP cache file (default: {default_cache_path()})",
    )
    fetch.add_argument(
        "--offline", action="store_true", help="use the cache only; never touch the network"
    )
    fetch.add_argument(
        "--refresh",
        action="store_true",
        help="revalidate cached pages with the site (ETag / Last-Modified)",
    )
    fetch.add_argument(
        "--max-age",
        type=_duration,
        default=timedelta(hours=24),
        metavar="AGE",
        help="reuse a cached page this long without asking the site: seconds, "
        "or a number with s, m, h or d (default: 24h)",
    )
    fetch.add_argument(
        "--timeout",
        type=_between(float, 0.001, 3600),
        default=30.0,
        metavar="SECONDS",
        help="seconds to connect, and to wait for each piece of an answer, up to 3600; a "
        f"whole response must arrive within {DEADLINE_PER_TIMEOUT} times this (default: 30)",
    )
    fetch.add_argument(
        "--retries",
        type=_between(int, 0, 10),
        default=4,
        metavar="N",
        help="retries on connection errors, 429 and 5xx, 0 to 10 (default: 4)",
    )
    fetch.add_argument(
        "--user-agent",
        type=_header_text,
        default=None,
        metavar="TEXT",
        help="identify yourself, e.g. with a contact address; schedscrape's own "
        "name and URL are always kept in it",
    )
    fetch.add_argument(
        "--cookies",
        type=_cookie_file,
        default=None,
        metavar="FILE",
        help="your own login, for members-only pages you may read: a Netscape cookies.txt "
        "exported from your browser; each cookie goes only to its own site, and no value is "
        "written to any file",
    )
    fetch.add_argument(
        "--ignore-robots",
        action="store_true",
        help="do not obey robots.txt (only with the site's permission)",
    )


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        type=_output_folder,
        default="output",  # a string, so that _output_folder checks it too
        metavar="DIR",
        help="output folder (default: output/)",
    )
    parser.add_argument(
        "--format",
        default=DEFAULT_FORMATS,
        type=_formats,
        metavar="LIST",
        help=f"comma-separated formats: {', '.join(WRITERS)} (default: {DEFAULT_FORMATS})",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start the output folder empty instead of merging into it",
    )
    parser.add_argument(
        "--zone",
        dest="zones",
        action="append",
        type=_zone_override,
        default=[],
        metavar="LABEL=OFFSET",
        help="the UTC offset of a zone label the pages print, for labels that are ambiguous "
        "or unknown (e.g. --zone CST=-06:00); repeatable",
    )
    parser.add_argument(
        "--tz",
        type=_local_zone,
        metavar="ZONE",
        help="the zone of times the pages print with no zone at all (2026 events lists, "
        "pre-2020 schedules): an IANA name such as Asia/Seoul, or +09:00",
    )
    talk = parser.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print the closing summary only")
    talk.add_argument("-v", "--verbose", action="store_true", help="print a line for each page")


def _formats(text: str) -> list[str]:
    formats = [item.strip().lower() for item in text.split(",") if item.strip()]
    unknown = [item for item in formats if item not in WRITERS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(WRITERS)}"
        )
    return list(dict.fromkeys(formats))


def _between(kind: type[int] | type[float], low: float, high: float):
    """An argparse type: a number from `low` to `high`. NaN, infinities and numbers too large
    to use (a timeout no clock can hold, a pool of a billion connections) are refused."""
    noun = "a whole number" if kind is int else "a number"

    def convert(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {noun}: {text!r}") from None
        if not low <= value <= high:  # False for NaN too
            raise argparse.ArgumentTypeError(f"not {noun} from {low:g} to {high:g}: {text!r}")
        return value

    return convert


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _duration(text: str) -> timedelta:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration (like 3600, 30m, 24h, 7d): {text!r}")
    try:
        return timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2) or "s"])
    except OverflowError:
        raise argparse.ArgumentTypeError(
            f"too long a duration (at most {timedelta.max.days}d): {text!r}"
        ) from None


def _header_text(text: str) -> str:
    """Text that can go in an HTTP header as it is: printable ASCII."""
    if not all(" " <= char <= "~" for char in text):
        raise argparse.ArgumentTypeError(f"only printable ASCII can go in a header: {text!r}")
    return text


def _zone_override(text: str) -> tuple[str, str]:
    label, _, offset = text.partition("=")
    try:
        offset_zone(offset)
    except TimeParseError:
        raise argparse.ArgumentTypeError(
            f"not LABEL=OFFSET (like CST=-06:00 or IST=+05:30): {text!r}"
        ) from None
    if not label.strip().isalpha():
        raise argparse.ArgumentTypeError(f"not a zone label: {label!r}")
    return label.strip().upper(), offset.strip()


def _local_zone(text: str) -> str:
    try:
        local_zone(text)
    except TimeParseError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _web_address(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise argparse.ArgumentTypeError(f"not an http(s) address: {text!r}")
    return text


def _page_address(text: str) -> str:
    """A page to fetch. A saved page, or what may be one, is pointed to `parse`."""
    if os.path.exists(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is a file here, not a web address: read saved pages with "
            "`schedscrape parse PATH`"
        )
    if not urlsplit(text).scheme:
        raise argparse.ArgumentTypeError(
            f"not an http(s) address: {text!r}: give the page's https:// address, or read a "
            "saved page with `schedscrape parse PATH`"
        )
    return _web_address(text)


def _output_folder(text: str) -> Path:
    if os.path.exists(text) and not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return Path(text)


def _cookie_file(text: str) -> MozillaCookieJar:
    try:
        return load_cookies(Path(text))
    except CookieFileError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _year(text: str) -> int:
    if not (text.isdigit() and 1980 <= int(text) <= 2100):
        raise argparse.ArgumentTypeError(f"not a four-digit year: {text!r}")
    return int(text)


def console() -> int:
    """The `schedscrape` command: `main`, then a prompt exit."""
    status = main()
    # Everything the run built is released at once when the interpreter exits; the
    # collector's final passes over it (0.1 s for a conference) would only delay the prompt.
    gc.freeze()
    return status


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    verbose, quiet = getattr(args, "verbose", False), getattr(args, "quiet", False)
    set_verbosity(VERBOSE if verbose else QUIET if quiet else NORMAL)
    try:
        if args.command == "parse":
            return run_parse(args)
        if args.command in ("scrape", "crawl"):
            return run_fetch(args)
        if args.command == "info":
            return run_info(args)
        if args.command == "check":
            return run_check(args)
    except UsageError as exc:  # file names in these and the errors below are escaped
        parser.exit(EXIT_USAGE, terminal_safe(f"schedscrape: error: {exc}") + "\n")
    except ScheduleError as exc:
        print(terminal_safe(f"schedscrape: error: {exc}"), file=sys.stderr)
        return EXIT_PAGES_FAILED
    except OSError as exc:
        message = f"schedscrape: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
        print(terminal_safe(message), file=sys.stderr)
        return EXIT_PAGES_FAILED
    except KeyboardInterrupt:
        print("schedscrape: interrupted; files already written are complete", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


def run_parse(args: argparse.Namespace) -> int:
    started = time.monotonic()
    pages = list(_expand(args.paths))
    if args.url and len(pages) > 1:
        raise UsageError("--url names one page's address; give a single PATH with it")
    report = RunReport(command="parse")
    parsed: list[ParsedPage] = []
    with Progress(total=len(pages), unit="page") as progress:
        for path in pages:
            page = _parse_file(path, args, report)
            if page is not None:
                parsed.append(page)
            progress.advance(path.name)
    return _finish(report, parsed, args, started)


def run_info(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        raise UsageError(f"no such folder: {args.folder}")
    summary = summarise(args.folder)
    text = json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary)
    print(text if args.json else terminal_safe(text))
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        raise UsageError(f"no such folder: {args.folder}")
    report = check_folder(args.folder)
    print(terminal_safe(render_check(report)))
    return EXIT_OK if report["agree"] else EXIT_DISAGREE


def run_fetch(args: argparse.Namespace) -> int:
    started = time.monotonic()
    entries = _entries(args.entry) if args.command == "crawl" else []
    report = RunReport(command=args.command)
    options = FetchOptions(
        rate=args.rate,
        concurrency=args.concurrency,
        cache_path=args.cache,
        offline=args.offline,
        refresh=args.refresh,
        max_age=args.max_age,
        timeout=args.timeout,
        retries=args.retries,
        user_agent=args.user_agent,
        obey_robots=not args.ignore_robots,
        cookies=args.cookies,
    )
    if args.command == "crawl" and args.dry_run:
        return _dry_run(options, entries, args)
    crawl = Crawl(entries, details=args.details) if args.command == "crawl" else None
    with Scraper(options) as scraper:
        parts = {counts.entry.name: 1 for counts in crawl.entries} if crawl else None
        total = len(entries) if crawl else len(args.urls)
        with Progress(total=total, unit="page", parts=parts) as progress:

            def record(outcome: Outcome) -> None:
                if crawl is not None and crawl.is_feed(outcome.url):
                    _record_feed(report, crawl, outcome)
                elif outcome.kept is not None:
                    pass  # recorded once its offset is learnt, or not
                elif outcome.page is not None:
                    _record_page(report, outcome.url, outcome.page)
                elif outcome.error is not None:
                    _record_failure(report, outcome.error)
                elif outcome.found is not None:
                    found = outcome.found
                    report_line(
                        f"schedscrape: ok: {outcome.url}: {plural(len(found.pages), found.kind)}",
                        VERBOSE,
                    )
                part = None
                if crawl is not None:
                    crawl.count(outcome)
                    part = crawl.entry_of(outcome).entry.name
                progress.advance(outcome.url.rsplit("/", 1)[-1], part=part)

            def follow(outcome: Outcome) -> list[str]:
                if crawl is None:
                    return []
                named, new = crawl.follow(outcome)
                for part, count in Counter(map(crawl.entry_name, new)).items():
                    progress.grow(count, part=part)
                return named

            outcomes = scraper.scrape(
                [] if crawl else args.urls,
                entries=crawl.entry_urls if crawl else None,
                zones=dict(args.zones),
                tz=args.tz,
                keep_zoneless=crawl is not None and args.details and args.tz is None,
                on_outcome=record,
                follow=follow,
                conference_of=crawl.conference_of if crawl else None,
            )
        stats = scraper.stats
        report.extra_counts = {
            "requests": stats.requests,
            "cache_hits": stats.cache_hits,
            "retries": stats.retries,
        }
    if crawl is not None:
        kept = [outcome.url for outcome in outcomes if outcome.kept is not None]
        outcomes, learnt = crawl.learn_offsets(outcomes)
        for outcome in outcomes:
            if outcome.url in kept and outcome.page is not None:
                _record_page(report, outcome.url, outcome.page)
        report.add(learnt)
        if args.details:
            report.extra_counts |= {
                "detail_pages": sum(len(counts.details) for counts in crawl.entries),
                "feed_events": sum(len(feed.events or {}) for feed in crawl.feeds),
                "detail_pages_saved": sum(len(counts.details_saved) for counts in crawl.entries),
                "offsets_learnt": sum(counts.offsets_learnt for counts in crawl.entries),
            }
        if len(crawl.entries) > 1:
            for counts in crawl.entries:
                report_line(f"schedscrape: {_entry_line(counts)}", QUIET)
    parsed = [outcome.page for outcome in outcomes if outcome.page is not None]
    return _finish(report, parsed, args, started)


def _record_feed(report: RunReport, crawl: Crawl, outcome: Outcome) -> None:
    """A feed's outcome: its records, or why it gave none (the detail pages stand in)."""
    problems = crawl.feed_problems(outcome)
    if outcome.page is not None:
        _record_page(report, outcome.url, outcome.page)
    elif problems:
        report.add(problems)
    elif outcome.error is not None:
        report_line(f"schedscrape: {outcome.url}: no feed ({outcome.error.message})", VERBOSE)


def _entries(words: list[str]) -> list[Entry]:
    try:
        return parse_entries(words)
    except DiscoveryError as exc:
        raise UsageError(str(exc)) from None


def _dry_run(options: FetchOptions, entries: list[Entry], args: argparse.Namespace) -> int:
    """Print the pages a crawl would fetch, one URL a line, and a count per entry on stderr.
    Only robots.txt and the entry pages are fetched (with --details, also the feed and the
    events lists, which decide the detail pages), and nothing is written."""
    crawl = Crawl(entries, details=args.details)

    def follow(outcome: Outcome) -> list[str]:
        named, _new = crawl.follow(outcome)
        counts = crawl.entry_of(outcome)
        lists = counts.kind == EVENTS_LISTS
        return [
            url
            for url in named
            if args.details and (crawl.is_feed(url) or (lists and url in counts.pages))
        ]

    with Scraper(options, processes=False) as scraper:
        outcomes = scraper.scrape(
            [], entries=crawl.entry_urls, zones=dict(args.zones), tz=args.tz, follow=follow
        )
        failed = []
        for outcome in outcomes:  # an entry's or a list's: the dry run's summary names them
            problems = [outcome.error] if outcome.error else []
            if crawl.is_feed(outcome.url):
                problems = crawl.feed_problems(outcome)
            else:
                failed += problems
            for problem in problems:
                line = f"schedscrape: {problem.severity}: {problem.source}: {problem.message}"
                report_line(line, QUIET)
        for counts in crawl.entries:
            if counts.error is None:
                line = _dry_run_entry(scraper, counts, args.details)
                report_line(f"schedscrape: {line}", QUIET)
    return EXIT_PAGES_FAILED if failed else EXIT_OK


def _dry_run_entry(scraper: Scraper, counts: EntryCounts, details: bool) -> str:
    """Print an entry's pages that robots.txt lets through; return its line for stderr."""
    shown, refused = [0, 0, 0], 0
    feed = [counts.feed.url] if counts.feed_events else []  # one the site serves
    for index, urls in enumerate((feed, counts.pages, counts.details)):
        for url in urls:
            try:
                scraper.fetcher.check_robots(url)
            except ScheduleError:
                refused += 1
            else:
                print(url)
                shown[index] += 1
    kind = counts.kind or "page"
    line = f"{counts.entry.name}: {plural(shown[1], kind)}"
    if shown[0]:
        line += f", a feed of {plural(len(counts.feed_events), 'event')}"
    if details and kind == SESSION_PAGES:
        line += "; their detail pages are named on them, so not listed in a dry run"
    elif details:
        line += f", {plural(shown[2], 'detail page')}"
        if counts.details_saved:
            line += f" ({len(counts.details_saved)} saved by the feed)"
    if refused:
        line += f"; {refused} disallowed by robots.txt, not listed"
    return line


def _entry_line(counts: EntryCounts) -> str:
    """`icml 2022: 8 session pages: 7 ok, 1 failed`, for an entry's summary line."""
    if counts.error is not None:
        return f"{counts.entry.name}: entry page failed: {counts.error.message}"
    line = (
        f"{counts.entry.name}: {plural(len(counts.pages), counts.kind or 'page')}: "
        f"{counts.ok} ok, {counts.failed} failed"
    )
    if counts.feed_events:
        line += f"; feed: {plural(len(counts.feed_events), 'event')}"
    if counts.details:
        line += (
            f"; {plural(len(counts.details), 'detail page')}: "
            f"{counts.details_ok} ok, {counts.details_failed} failed"
        )
    if counts.details_saved:
        line += f"; {plural(len(counts.details_saved), 'detail page')} saved by the feed"
    if counts.offsets_learnt:
        line += f"; {plural(counts.offsets_learnt, 'offset')} learnt"
    return line


def _finish(
    report: RunReport, parsed: list[ParsedPage], args: argparse.Namespace, started: float
) -> int:
    dataset = Dataset.from_pages(parsed)
    write_outputs(dataset, args.output, args.format, report, fresh=args.fresh)
    _cookies_refused(report, args)
    _summary(report, dataset, args, time.monotonic() - started)
    return EXIT_PAGES_FAILED if report.failed_pages else EXIT_OK


def _expand(paths: list[Path]) -> Iterator[Path]:
    """Files as given; folders recursively, in a stable order, skipping hidden files."""
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    for path in paths:
        if path.is_dir():
            yield from sorted(
                found
                for found in path.rglob("*")
                if found.is_file()
                and not any(part.startswith(".") for part in found.relative_to(path).parts)
            )
        else:
            yield path


def _parse_file(path: Path, args: argparse.Namespace, report: RunReport) -> ParsedPage | None:
    source = str(path)
    try:
        check_size(path.stat().st_size)  # before reading: a 500 MB file costs nothing
        data = path.read_bytes()
        page = parse_page(
            data,
            url=args.url,
            year=args.year,
            conference=args.conference,
            zones=dict(args.zones),
            tz=args.tz,
            source=source,
        )
    except OSError as exc:
        return _record_failure(
            report, _error(source, "read", f"cannot read file: {exc.strerror or exc}")
        )
    except PageError as exc:
        return _record_failure(report, _error(source, exc.stage, str(exc)))
    except Exception as exc:  # a parser bug must not stop the other pages
        return _record_failure(
            report, _error(source, "parse", f"internal error ({type(exc).__name__}: {exc})")
        )
    _record_page(report, source, page)
    return page


def _error(source: str, stage: str, message: str) -> Problem:
    return Problem(source=source, stage=stage, severity="error", message=message)


def _record_page(report: RunReport, source: str, page: ParsedPage) -> None:
    report.pages += 1
    report.problems.extend(page.problems)
    page_errors = [problem for problem in page.problems if problem.severity == "error"]
    for problem in page_errors:
        report_line(f"schedscrape: error: {source}: {problem.message}")
    if page_errors:
        report.failed_pages += 1  # e.g. truncated: its complete cards are still written
    else:
        report_line(f"schedscrape: ok: {source}: {plural(len(page.talks), 'talk')}", VERBOSE)


def _record_failure(report: RunReport, problem: Problem) -> None:
    report_line(f"schedscrape: error: {problem.source}: {problem.message}")
    report.pages += 1
    report.failed_pages += 1
    report.problems.append(problem)


def _cookies_refused(report: RunReport, args: argparse.Namespace) -> None:
    """One line when pages still ask to log in although the user gave cookies."""
    cookies = getattr(args, "cookies", None)
    # The fetcher's "redirected to a login page" and the parser's "login wall" both say so.
    walled = sum(problem.message.startswith("login required") for problem in report.problems)
    if cookies is not None and walled:
        print(
            terminal_safe(
                f"schedscrape: error: {plural(walled, 'page')} still asked to log in with "
                f"--cookies {cookies.filename}: the site refused the cookies, they have "
                "expired, or none is for that site; log in again in your browser and export "
                "them again"
            ),
            file=sys.stderr,
        )


def _summary(report: RunReport, dataset: Dataset, args: argparse.Namespace, elapsed: float) -> None:
    good = report.pages - report.failed_pages
    line = (
        f"schedscrape: {plural(report.pages, 'page')} ({good} ok, {report.failed_pages} failed): "
        f"{plural(len(dataset.sessions), 'session')}, {plural(len(dataset.talks), 'talk')}, "
        f"{plural(report.errors, 'error')}, {plural(report.warnings, 'warning')} "
        f"-> {args.output}/ ({', '.join(args.format)}) in {elapsed:.1f} s"
    )
    if report.extra_counts:
        counts = report.extra_counts
        line += (
            f"; {plural(counts['requests'], 'request')}, "
            f"{plural(counts['cache_hits'], 'cache hit')}, {plural(counts['retries'], 'retry')}"
        )
        if "detail_pages" in counts:  # crawl --details
            line += f"; {plural(counts['detail_pages'], 'detail page')}"
            if counts["detail_pages_saved"]:
                line += f" ({counts['detail_pages_saved']} saved by the feed)"
            line += f", {plural(counts['offsets_learnt'], 'offset')} learnt"
    if report.problems:
        line += f"; details in {args.output / 'errors.jsonl'}"
    print(terminal_safe(line), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
