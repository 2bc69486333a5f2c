"""The user's own login, from a Netscape `cookies.txt` (`--cookies`), and the cookies sites set.

A cookie goes only where a browser would send it: to the domain and path it names, a host-only
cookie to its host alone, a secure one over https alone. requests cannot promise that: it copies
a session's cookies into a jar with the standard library's lenient default policy before each
request, which sends a host-only cookie for `icml.cc` to every `*.icml.cc` too. So the Fetcher
keeps the cookies here, with a strict policy, and requests' own jar is switched off.

Cookie values are secrets: no message here quotes the file's lines, and the HTTP cache stores
no cookie (see `cache`).
"""

from __future__ import annotations

import copy
import urllib.request
import warnings
from http.cookiejar import CookieJar, DefaultCookiePolicy, LoadError, MozillaCookieJar
from pathlib import Path

import requests
from requests.cookies import extract_cookies_to_jar

from schedscrape.errors import ScheduleError


class CookieFileError(ScheduleError):
    """The --cookies file cannot be used. The message never quotes the file: it holds secrets."""

    stage = "fetch"


def load_cookies(path: Path) -> MozillaCookieJar:
    """The unexpired cookies of a Netscape cookies.txt. A session cookie (expiry 0, as curl and
    browser extensions write it, or empty) is kept; `#HttpOnly_` lines are read as cookies."""
    jar = MozillaCookieJar(str(path))
    try:
        with warnings.catch_warnings():  # cookiejar warns with a traceback about a bad line
            warnings.simplefilter("ignore")
            # Expired cookies are dropped below, once expiry 0 is read as "session cookie".
            jar.load(ignore_discard=True, ignore_expires=True)
    except LoadError as exc:  # its message quotes the bad line, cookie value and all
        what = (
            "its first line must be '# Netscape HTTP Cookie File'"
            if "does not look like" in str(exc)
            else "a line is not a cookie (7 tab-separated fields: domain, subdomains, path, "
            "secure, expiry, name, value)"
        )
        raise CookieFileError(f"{path}: not a Netscape cookies.txt: {what}") from None
    except UnicodeDecodeError:
        raise CookieFileError(f"{path}: not a Netscape cookies.txt: it is not text") from None
    except OSError as exc:
        raise CookieFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not len(jar):
        raise CookieFileError(f"{path} holds no cookies")
    for cookie in jar:
        if cookie.expires == 0:  # MozillaCookieJar reads only an empty expiry as "session"
            cookie.expires, cookie.discard = None, True
    jar.clear_expired_cookies()
    if not len(jar):
        raise CookieFileError(
            f"every cookie in {path} has expired: log in again in your browser and export them"
        )
    return jar


class SiteCookies:
    """The cookies one Fetcher sends: the user's (from --cookies) and those the sites set, each
    only to the host or domain, and the path, that it names. Thread-safe (CookieJar locks)."""

    def __init__(self, given: CookieJar | None = None) -> None:
        self._jar = CookieJar(
            DefaultCookiePolicy(strict_ns_domain=DefaultCookiePolicy.DomainStrictNonDomain)
        )
        for cookie in given or ():
            self._jar.set_cookie(copy.copy(cookie))

    def take_over(self, session: requests.Session) -> None:
        """Switch `session`'s own jar off: it takes no cookie, so it sends none."""
        session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))

    def headers(self, url: str) -> dict[str, str]:
        """The Cookie header for a request to `url`, if any cookie belongs there."""
        request = urllib.request.Request(url)
        self._jar.add_cookie_header(request)
        header = request.get_header("Cookie")
        return {"Cookie": header} if header else {}

    def remember(self, response: requests.Response) -> None:
        """Keep the cookies a response sets (a site renewing its session cookie, say)."""
        extract_cookies_to_jar(self._jar, response.request, response.raw)
