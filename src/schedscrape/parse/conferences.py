"""Conference names in one spelling, whatever gave them: `--conference` in any case, the site's
host, or the page title. Records keyed by conference and year need one spelling per
conference-year, so every name goes through this table; a new conference is one more row.

A conference is spelled as its site spells it that year: NeurIPS was NIPS before 2018. A
name the table does not know is kept as given (whitespace trimmed): its right case is unknown,
and upper-casing would spoil names such as "CoLLAs".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlparse


@dataclass(frozen=True)
class Conference:
    name: str  # today's spelling
    hosts: tuple[str, ...] = ()  # its virtual site first: relative links are made absolute there
    earlier: tuple[tuple[int, str], ...] = ()  # (the year a name stopped, that name), oldest first

    def name_in(self, year: int) -> str:
        return next((old for until, old in self.earlier if year < until), self.name)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *(old for _, old in self.earlier))


CONFERENCES = (
    Conference("ICML", ("icml.cc",)),
    Conference("NeurIPS", ("neurips.cc", "nips.cc"), earlier=((2018, "NIPS"),)),
    Conference("ICLR", ("iclr.cc",)),
    Conference("MLSys", ("mlsys.org",)),
    Conference("CVPR", ("cvpr.thecvf.com",)),
    Conference("ICCV", ("iccv.thecvf.com",)),
    Conference("AISTATS", ("aistats.org",)),
    Conference("CoRL", ("corl.org",)),
    Conference("UAI", ("auai.org",)),
    Conference("ECCV"),
    Conference("COLM"),
    Conference("COLT"),
    Conference("ACL"),
    Conference("EMNLP"),
    Conference("NAACL"),
    Conference("AAAI"),
    Conference("IJCAI"),
    Conference("KDD"),
    Conference("WACV"),
)
# Each conference's virtual-site host, by today's name ("ICML" -> "icml.cc").
CONFERENCE_HOSTS = {c.name: c.hosts[0] for c in CONFERENCES if c.hosts}
_BY_NAME = {spelling.lower(): (c, spelling) for c in CONFERENCES for spelling in c.spellings}


def canonical_name(name: str | None, year: int | None) -> str | None:
    """ "icml" -> "ICML"; "neurips" or "NIPS" -> "NIPS" for 2016, "NeurIPS" for 2018. Without a
    year a known name keeps its own spelling ("nips" -> "NIPS"); an unknown one is kept."""
    name = " ".join(name.split()) if name else ""
    if not name:
        return None
    conference, spelling = _BY_NAME.get(name.lower(), (None, name))
    return conference.name_in(year) if conference and year is not None else spelling


def is_known(name: str) -> bool:
    """Whether the table knows `name` (a page title's first word may be anything)."""
    return name.lower() in _BY_NAME


def conference_of_url(url: str | None) -> str | None:
    """The conference whose site serves `url` (a subdomain counts: `www.`, `virtual.`)."""
    host = urlparse(url).hostname if url else None
    if not host:
        return None
    return next(
        (
            conference.name
            for conference in CONFERENCES
            if any(host == known or host.endswith("." + known) for known in conference.hosts)
        ),
        None,
    )


def host_of(name: str | None) -> str | None:
    """The virtual-site host of a conference, by any of its names."""
    conference, _ = _BY_NAME.get(name.lower(), (None, None)) if name else (None, None)
    return conference.hosts[0] if conference and conference.hosts else None


# The sites' data files are named for their conference-year: `icml-2025-orals-posters.json`.
_DATA_FILE_NAME = re.compile(r"(?:^|[/\\])([A-Za-z]+)-((?:19|20)\d\d)-[\w-]+\.(?:json|csv)$")


def named_in_file(path: str) -> tuple[str, int] | None:
    """The conference (as the table spells it that year) and year a data file's name or
    address gives, if the table knows the conference."""
    found = _DATA_FILE_NAME.search(urlparse(path).path if "://" in path else path)
    if found is None or not is_known(found.group(1)):
        return None
    year = int(found.group(2))
    return canonical_name(found.group(1), year) or found.group(1), year
