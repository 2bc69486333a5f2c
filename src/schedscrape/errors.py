"""Errors a user can act on. Each carries the pipeline stage that raised it, for errors.jsonl."""

from __future__ import annotations


class ScheduleError(Exception):
    """Base class: a one-line message that is safe to show a user."""

    stage = "parse"


class PageError(ScheduleError):
    """A page that cannot give a session (empty, binary, login wall, not a session page)."""


class EmptyPage(PageError):
    pass


class BinaryPage(PageError):
    pass


class LoginRequired(PageError):
    pass


class BlockedPage(PageError):
    """An anti-bot challenge page was served instead of the content."""


class NotASessionPage(PageError):
    pass


class TruncatedPage(PageError):
    """The download stopped before the first complete talk card."""


class InvalidRecord(PageError):
    """A parsed value failed validation; the message names the page and the field."""

    stage = "validate"


class PageTooBig(PageError):
    """A page that holds more than any session could: it is refused whole, not cut short.
    A file over the size limit is refused before it is read."""


class NotADataFile(PageError):
    """JSON (or CSV) that is neither a schedule feed nor an events export, or is not valid."""
