"""The sites' own data files, read by content: the `*-orals-posters.json` feed (one reader,
`feed`) and the "Downloads" events export, as JSON or CSV (`export`).

A file is JSON when it starts with `{` or `[` (after a byte-order mark and whitespace), a CSV
export when its header row names the export's columns. JSON that is neither kind, broken JSON and
records of the wrong shape are each one clear one-line PageError; a file cut off mid-way keeps
the records that arrived complete, and a record of the wrong shape is skipped with a warning.
"""

from __future__ import annotations

import json
import re

from schedscrape.errors import NotADataFile, PageError
from schedscrape.parse.build import ParsedPage
from schedscrape.parse.datafiles import export, feed
from schedscrape.parse.datafiles.records import FileContext
from schedscrape.wording import plural

_JSON_STARTS = ("{", "[")
# An object or array, then what JSON may hold next: a text rendering may start with "[Skip".
_JSON_HEAD = re.compile(r'[\[{]\s*(?:[\[{"\]}\-0-9]|true|false|null|$)')


def looks_like_data_file(head: str) -> bool:
    """Whether the start of a file is JSON, or the header row of a CSV export."""
    head = head.lstrip("\ufeff \t\r\n")
    return bool(_JSON_HEAD.match(head)) or export.is_csv_header(head.partition("\n")[0])


def read_data_file(text: str, context: FileContext) -> ParsedPage:
    """A feed's sessions, talks and events, or an export's events."""
    text = text.lstrip("\ufeff \t\r\n")
    if not text.startswith(_JSON_STARTS):
        return export.read_csv(text, context)
    try:
        data = json.loads(text)
    except RecursionError:
        raise NotADataFile("JSON nested too deeply to be a feed or an export") from None
    except ValueError as exc:  # JSONDecodeError, or a number too long to convert
        data = _complete_part(text, exc, context)
    if feed.is_feed(data):
        return feed.read(data, context)
    if export.is_export(data):
        return export.read_rows(data, context)
    raise NotADataFile(
        f"JSON that is neither a schedule feed nor an events export ({_shape(data)})"
    )


def _complete_part(text: str, error: ValueError, context: FileContext):
    """What a JSON file cut off mid-way still holds: its top level with every record (array
    item) that arrived complete; a PageError when the file is broken rather than cut short,
    or holds no complete record."""
    if not isinstance(error, json.JSONDecodeError):
        raise NotADataFile("not valid JSON: a number too long to read") from None
    where = f"line {error.lineno} column {error.colno}"
    if error.pos < len(text.rstrip()) and not error.msg.startswith("Unterminated string"):
        raise NotADataFile(f"not valid JSON ({error.msg} at {where})") from None
    recovered = _prefix(text)
    if not _records(recovered):
        raise PageError(f"truncated JSON: the file ends at {where}, before a complete record")
    context.report(
        f"truncated JSON: the file ends at {where}; kept the "
        f"{plural(len(_records(recovered)), 'complete record')} before it",
        severity="error",
    )
    return recovered


def _prefix(text: str):
    """The top-level value of cut-off JSON, with the complete items of its arrays: `[{...},
    {...}, {..` gives the first two; `{"count": 3, "results": [{...}, {..` keeps `count`."""
    decoder = json.JSONDecoder()
    position = 1
    if text.startswith("["):
        return _array_items(text, position, decoder)[0]
    found: dict = {}
    while True:
        position = _skip(text, position, ",")
        try:
            key, position = decoder.raw_decode(text, position)
            position = _skip(text, position, ":")
            if text.startswith("[", position):
                found[key], position = _array_items(text, position + 1, decoder)
                if position < 0:
                    return found
            else:
                found[key], position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            return found


def _array_items(text: str, position: int, decoder: json.JSONDecoder) -> tuple[list, int]:
    """The complete items of the array starting at `position`, and where it ends (-1: cut)."""
    items = []
    while True:
        position = _skip(text, position, ",")
        if text.startswith("]", position):
            return items, position + 1
        try:
            item, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            return items, -1
        items.append(item)


def _skip(text: str, position: int, separator: str) -> int:
    while position < len(text) and (text[position].isspace() or text[position] == separator):
        position += 1
    return position


def _records(data) -> list:
    if isinstance(data, dict):
        data = data.get("results")
    return data if isinstance(data, list) else []


def _shape(data) -> str:
    if isinstance(data, dict):
        keys = ", ".join(repr(key) for key in list(data)[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    if isinstance(data, list):
        kinds = sorted({type(item).__name__ for item in data[:50]})
        return f"a list of {len(data)} items ({', '.join(kinds)})" if data else "an empty list"
    return f"a single {type(data).__name__}"
