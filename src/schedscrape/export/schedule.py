"""schedule.html: the schedule as one self-contained page to read and search offline.

Grouped by day and session, times in the zone the page showed, a search box that filters talks
by title and author as you type, expandable abstracts, links to the event pages. Inline CSS
and JavaScript only, and a Content-Security-Policy that forbids loading anything else. Every
piece of page text is HTML-escaped: titles from the web are data, never markup. Links are
http(s) only.
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from schedscrape.export.atomic import atomic_text
from schedscrape.export.dataset import Dataset
from schedscrape.export.writers import Writer
from schedscrape.links import is_web_url
from schedscrape.models import Session, Talk

UNSCHEDULED = "Time not known"


class HtmlWriter(Writer):
    format: ClassVar[str] = "html"

    @classmethod
    def file_names(cls) -> list[str]:
        return ["schedule.html"]

    def write(self, dataset: Dataset, directory: Path) -> list[Path]:
        path = directory / "schedule.html"
        with atomic_text(path) as stream:
            stream.write(render(dataset))
        return [path]


def render(dataset: Dataset) -> str:
    talks_by_session: dict[str, list[Talk]] = defaultdict(list)
    for talk in dataset.talks:
        talks_by_session[talk.session_id].append(talk)
    days: dict[date | None, list[Session]] = defaultdict(list)
    for session in sorted(dataset.sessions, key=_session_order):
        days[session.start.date() if session.start else None].append(session)
    sections = [
        _day(day, sessions, talks_by_session)
        for day, sessions in sorted(
            days.items(), key=lambda item: (item[0] is None, item[0] or date.min)
        )
    ]
    title = _page_title(dataset.sessions)
    return _PAGE.format(
        title=_e(title),
        count=len(dataset.talks),
        sessions=len(dataset.sessions),
        body="\n".join(sections),
        style=_STYLE,
        script=_SCRIPT,
    )


def _day(day: date | None, sessions: list[Session], talks: dict[str, list[Talk]]) -> str:
    heading = day.strftime("%A %-d %B %Y") if day else UNSCHEDULED
    blocks = "\n".join(_session(session, talks.get(session.session_id, [])) for session in sessions)
    return f'<section class="day"><h2>{_e(heading)}</h2>\n{blocks}\n</section>'


def _session(session: Session, talks: list[Talk]) -> str:
    facts = [session.session_type, session.room]
    if session.moderators:
        facts.append(
            "Moderator"
            + ("s" if len(session.moderators) > 1 else "")
            + ": "
            + ", ".join(session.moderators)
        )
    title = _e(session.title or session.session_type or session.room or "Session")
    title = _linked(title, session.url)
    items = "\n".join(_talk(talk) for talk in sorted(talks, key=lambda t: t.position))
    return (
        f'<article class="session" id="session-{_e(session.session_id)}">\n'
        f'<h3><span class="time">{_e(_span(session.start, session.end, session.timezone))}'
        f"</span> {title}</h3>\n"
        f'<p class="facts">{" · ".join(_e(fact) for fact in facts if fact)}</p>\n'
        f'<ol class="talks">\n{items}\n</ol>\n</article>'
    )


def _talk(talk: Talk) -> str:
    title = _e(talk.title or "(untitled)")
    title = _linked(title, talk.url)
    label = " ".join(part for part in (talk.event_type, talk.poster_position) if part)
    time = (
        f'<span class="time">{_e(_span(talk.start, talk.end, talk.timezone))}</span> '
        if talk.time_source == "talk"
        else ""
    )
    abstract = (
        f"<details><summary>Abstract</summary><p>{_e(talk.abstract)}</p></details>"
        if talk.abstract
        else ""
    )
    search = " ".join([talk.title or "", *talk.authors]).lower()
    return (
        f'<li class="talk" data-search="{_e(search)}">'
        f'<div class="title">{time}{title}'
        + (f' <span class="label">{_e(label)}</span>' if label else "")
        + f'</div><div class="authors">{_e(", ".join(talk.authors))}</div>{abstract}</li>'
    )


def _linked(html_text: str, url: str | None) -> str:
    """`html_text` as a link to `url`, if that leads to a web page (never `javascript:`)."""
    return f'<a href="{_e(url)}">{html_text}</a>' if is_web_url(url) else html_text


def _span(start: datetime | None, end: datetime | None, zone: str | None) -> str:
    """ "12:30–12:35 PDT", in the offset the page showed."""
    if start is None:
        return ""
    text = start.strftime("%H:%M") + (f"–{end.strftime('%H:%M')}" if end else "")
    return f"{text} {zone}" if zone else text


def _session_order(session: Session) -> tuple:
    return (
        session.start is None,
        session.start.timestamp() if session.start else 0,
        session.title or "",
    )


def _page_title(sessions: list[Session]) -> str:
    names = sorted({f"{s.conference} {s.year}" for s in sessions if s.conference and s.year})
    return (", ".join(names) + " schedule") if names else "Conference schedule"


def _e(text: str | None) -> str:
    return html.escape(text or "", quote=True)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<input id="search" type="search" placeholder="Search titles and authors" autocomplete="off"
       aria-label="Search titles and authors" autofocus>
<p id="shown" aria-live="polite">{count} talks in {sessions} sessions</p>
</header>
<main>
{body}
</main>
<script>{script}</script>
</body>
</html>
"""

_STYLE = """
:root { color-scheme: light dark; --muted: #666; --accent: #1a5fb4; --line: #ddd; }
@media (prefers-color-scheme: dark) { :root { --muted: #aaa; --accent: #8cb4ff; --line: #444; } }
body { font: 16px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 0 auto; padding: 0 1rem; }
header { position: sticky; top: 0; background: Canvas; padding: .5rem 0;
         border-bottom: 1px solid var(--line); }
h1 { font-size: 1.4rem; margin: .3rem 0; }
#search { width: 100%; font-size: 1.05rem; padding: .45rem .6rem; box-sizing: border-box; }
#shown { color: var(--muted); margin: .3rem 0 0; font-size: .9rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .4rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1rem 0 .1rem; }
.time { font-variant-numeric: tabular-nums; color: var(--muted); font-weight: normal; }
.facts { color: var(--muted); margin: 0 0 .3rem; font-size: .9rem; }
ol.talks { list-style: none; padding: 0; margin: 0; }
li.talk { padding: .45rem 0; border-top: 1px solid var(--line); }
.title { font-weight: 600; }
.label { font-weight: normal; font-size: .8rem; color: var(--muted); border: 1px solid var(--line);
         border-radius: .3rem; padding: 0 .3rem; white-space: nowrap; }
.authors { color: var(--muted); font-size: .92rem; }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
details summary { cursor: pointer; color: var(--accent); font-size: .88rem; }
details p { margin: .3rem 0 .2rem; }
[hidden] { display: none !important; }
"""

_SCRIPT = """
(function () {
  var input = document.getElementById('search');
  var shown = document.getElementById('shown');
  var talks = Array.prototype.slice.call(document.querySelectorAll('li.talk'));
  var fold = function (text) {
    return text.normalize('NFD').replace(/[\\u0300-\\u036f]/g, '').toLowerCase();
  };
  talks.forEach(function (talk) { talk.dataset.folded = fold(talk.dataset.search); });
  function filter() {
    var words = fold(input.value).split(/\\s+/).filter(Boolean);
    var visible = 0;
    talks.forEach(function (talk) {
      var hit = words.every(function (word) { return talk.dataset.folded.indexOf(word) >= 0; });
      talk.hidden = !hit;
      if (hit) { visible += 1; }
    });
    document.querySelectorAll('article.session, section.day').forEach(function (block) {
      block.hidden = block.querySelector('li.talk:not([hidden])') === null;
    });
    shown.textContent = words.length ? visible + ' of ' + talks.length + ' talks match'
                                     : talks.length + ' talks';
  }
  input.addEventListener('input', filter);
})();
"""
