"""Command line: a thin layer over `schedscrape.parse_page` and the exporters.

Exit status: 0 every page gave a session; 1 some pages failed (everything else is still
written); 2 the command itself is wrong. Users never see a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from schedscrape.errors import PageError, ScheduleError
from schedscrape.export import WRITERS, Dataset, RunReport, write_outputs
from schedscrape.models import Problem
from schedscrape.parse import ParsedPage, parse_page
from schedscrape.progress import Progress, terminal_safe
from schedscrape.progress import report as report_line

DEFAULT_FORMATS = "csv,json,parquet"
EXIT_OK, EXIT_PAGES_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command itself is wrong: exit 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="schedscrape",
        description="Turn conference schedule pages into clean, validated data.",
    )
    from schedscrape import __version__

    parser.add_argument("--version", action="version", version=f"schedscrape {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser(
        "parse",
        help="parse saved session pages (HTML or text renderings) offline",
        description="Parse saved session pages offline. PATH is a file or a folder "
        "(every page inside, recursively); HTML and plain text are told apart by content.",
    )
    parse.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    _add_output_options(parse)
    parse.add_argument("--url", help="the page's original address (one page only)")
    parse.add_argument("--year", type=_year, help="the conference year, if the page lacks it")
    parse.add_argument("--conference", help='the conference name ("ICML"), if the page lacks it')
    return parser


def _add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("output"),
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


def _formats(text: str) -> list[str]:
    formats = [item.strip().lower() for item in text.split(",") if item.strip()]
    unknown = [item for item in formats if item not in WRITERS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or repr(text)}; choose from {', '.join(WRITERS)}"
        )
    return list(dict.fromkeys(formats))


def _year(text: str) -> int:
    if not (text.isdigit() and 1980 <= int(text) <= 2100):
        raise argparse.ArgumentTypeError(f"not a four-digit year: {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "parse":
            return run_parse(args)
    except UsageError as exc:
        parser.exit(EXIT_USAGE, f"schedscrape: error: {exc}\n")
    except ScheduleError as exc:
        print(terminal_safe(f"schedscrape: error: {exc}"), file=sys.stderr)
        return EXIT_PAGES_FAILED
    except OSError as exc:
        print(
            f"schedscrape: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
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
    report.pages = len(pages)
    dataset = Dataset.from_pages(parsed)
    write_outputs(dataset, args.output, args.format, report, fresh=args.fresh)
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
        data = path.read_bytes()
        page = parse_page(
            data, url=args.url, year=args.year, conference=args.conference, source=source
        )
    except OSError as exc:
        return _failed(report, source, "read", f"cannot read file: {exc.strerror or exc}")
    except PageError as exc:
        return _failed(report, source, exc.stage, str(exc))
    except Exception as exc:  # a parser bug must not stop the other pages
        return _failed(report, source, "parse", f"internal error ({type(exc).__name__}: {exc})")
    report.problems.extend(page.problems)
    page_errors = [problem for problem in page.problems if problem.severity == "error"]
    for problem in page_errors:
        report_line(f"schedscrape: error: {source}: {problem.message}")
    if page_errors:
        report.failed_pages += 1  # e.g. truncated: its complete cards are still written
    return page


def _failed(report: RunReport, source: str, stage: str, message: str) -> None:
    report_line(f"schedscrape: error: {source}: {message}")
    report.failed_pages += 1
    report.problems.append(Problem(source=source, stage=stage, severity="error", message=message))
    return None


def _summary(report: RunReport, dataset: Dataset, args: argparse.Namespace, elapsed: float) -> None:
    good = report.pages - report.failed_pages
    line = (
        f"schedscrape: {_count(report.pages, 'page')} ({good} ok, {report.failed_pages} failed): "
        f"{_count(len(dataset.sessions), 'session')}, {_count(len(dataset.talks), 'talk')}, "
        f"{_count(report.errors, 'error')}, {_count(report.warnings, 'warning')} "
        f"-> {args.output}/ ({', '.join(args.format)}) in {elapsed:.1f} s"
    )
    if report.problems:
        line += f"; details in {args.output / 'errors.jsonl'}"
    print(terminal_safe(line), file=sys.stderr)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())
