"""schedscrape: conference schedule pages -> clean, validated data.

>>> import schedscrape
>>> page = schedscrape.parse_page(open("session.html", "rb").read(), url="https://icml.cc/virtual/2025/session/50259")
>>> page.session.title, len(page.talks)
"""

from schedscrape.errors import PageError, ScheduleError
from schedscrape.load import Tables, load
from schedscrape.models import Event, Problem, Session, Talk, TalkAuthor
from schedscrape.parse import ParsedPage, parse_page

__version__ = "0.1.0"  # the single source: pyproject.toml reads it from here

__all__ = [
    "Event",
    "PageError",
    "ParsedPage",
    "Problem",
    "ScheduleError",
    "Session",
    "Tables",
    "Talk",
    "TalkAuthor",
    "__version__",
    "load",
    "parse_page",
]
