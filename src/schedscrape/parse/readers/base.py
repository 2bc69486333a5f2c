"""The interface every HTML reader offers: what kind of page it reads, how it recognises one by
content, and how it reads it into a RawPage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from schedscrape.parse.raw import RawPage


@dataclass(frozen=True)
class HtmlReader:
    kind: str  # "events list": also the session_type of the page's own Session row
    recognises: Callable[[etree._Element], bool]
    read: Callable[[etree._Element, bytes], RawPage]
