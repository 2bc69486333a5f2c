"""What a page is when it is not a session page: empty, a login wall, an anti-bot challenge,
or something else. Both readers (HTML and text) explain a missing session the same way."""

from __future__ import annotations

import re

from schedscrape.errors import (
    BlockedPage,
    EmptyPage,
    LoginRequired,
    NotASessionPage,
    PageError,
    PageTooBig,
)

_LOGIN_WALL = re.compile(
    r"log(?:ged)?[ -]?in to (?:view|see|access)|please (?:log|sign)[ -]?in|sign in to continue",
    re.IGNORECASE,
)
# Challenge pages of the common bot-protection services (Cloudflare, PerimeterX, DataDome,
# Akamai, hCaptcha/reCAPTCHA walls), by their visible text or their markup.
_CHALLENGE = re.compile(
    r"checking (?:if the site connection is secure|your browser)|just a moment\.\.\."
    r"|cf-browser-verification|challenge-platform|cf-chl-|attention required! \| cloudflare"
    r"|px-captcha|captcha-delivery|verify (?:that )?you are (?:a )?human"
    r"|enable javascript and cookies to continue|access denied.{0,40}reference #",
    re.IGNORECASE,
)


_SNIFF = 64 * 1024
# What one page may give. Real sessions hold at most a few hundred talks, and the biggest list
# of a conference-year (NeurIPS's posters) about 5,000; past this, a page is junk or an attack,
# and keeping its first talks would pass a cut-off list off as whole.
MAX_TALKS = 10_000


def too_many_talks() -> PageTooBig:
    return PageTooBig(
        f"page too big: more than {MAX_TALKS:,} talks (a session has a few hundred); nothing kept"
    )


def explain(
    text: str,
    *,
    markup: str = "",
    password_field: bool = False,
    missing: str = "no session header and no talk cards",
) -> PageError:
    """The error for a page without a session; `markup` is the raw source, if there is one."""
    text = text[:_SNIFF]  # walls and challenges are small pages; a 25 MB one is neither
    if _CHALLENGE.search(text) or (markup and _CHALLENGE.search(markup[:_SNIFF])):
        return BlockedPage(
            "blocked: the site answered with an anti-bot challenge instead of "
            "the page (slow down with --rate, or ask the site for access)"
        )
    if _LOGIN_WALL.search(text) or password_field:
        return LoginRequired("login required: the page asks to log in instead of showing a session")
    if not text.strip():
        return EmptyPage("page has no content")
    return NotASessionPage(f"not a session page: {missing}")
