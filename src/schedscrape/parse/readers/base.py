"""The interface every HTML reader offers: what kind of page it reads, how it recognises one by
content, and how it reads it into a RawPage.

`markers` are bytes of which a page of that kind holds at least one (the class names its
`recognises` looks for): a page holding none of any reader's is refused without building
a second tree, however big it is."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from schedscrape.parse.raw import RawPage


@dataclass(frozen=True)
class HtmlReader:
    kind: str  # "events list": also the session_type of the page's own Session row
    markers: tuple[bytes, ...]
    recognises: Callable[[etree._Element], bool]
    read: Callable[[etree._Element, bytes], RawPage]
