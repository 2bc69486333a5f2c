"""Polite, resumable HTTP: one `Fetcher` over a caching requests Session.

- Politeness (`politeness`, `robots`, `retries`): an honest User-Agent, robots.txt obeyed
  (protego; its redirects followed within the site, see `redirects`), a per-site rate limit
  (`icml.cc` and `www.icml.cc` share one) and a bound on requests in flight, both shared by
  every worker and enforced in requests' transport adapter (`transport`), retries with
  exponential backoff and jitter (urllib3's `Retry` policy) on connection errors, 429 and 5xx,
  `Retry-After` honoured.
- Resumability (`cache`): every good response goes to an on-disk SQLite cache
  (requests-cache). A page fetched within `max_age` is reused without contacting the site, so
  a killed crawl that is started again fetches only what it is missing; `offline` re-parses
  from the cache alone.
- Cookies (`cookies`): the user's own login from a Netscape cookies.txt, each cookie sent only
  to the domain and path it names; no cookie is stored in the cache.
- Safety: TLS verification is always on (a certificate that fails it is one error for the
  page, never retried); redirects are followed within the site only (`links.same_site`), each
  host under its own robots.txt; a redirect to a login page is a "login required" error;
  responses have a size cap, and a deadline (`DEADLINE_PER_TIMEOUT` timeouts) for arriving
  whole.
"""

from schedscrape.fetch.cache import default_cache_path, prepare_cache
from schedscrape.fetch.cookies import CookieFileError, load_cookies
from schedscrape.fetch.errors import CacheError, FetchError, LoginRedirect, RobotsDisallowed
from schedscrape.fetch.fetcher import Fetcher, FetchStats, Page
from schedscrape.fetch.options import DEADLINE_PER_TIMEOUT, FetchOptions
from schedscrape.fetch.politeness import RateLimiter, SharedRateLimiter, default_user_agent

__all__ = [
    "DEADLINE_PER_TIMEOUT",
    "CacheError",
    "CookieFileError",
    "FetchError",
    "FetchOptions",
    "FetchStats",
    "Fetcher",
    "LoginRedirect",
    "Page",
    "RateLimiter",
    "RobotsDisallowed",
    "SharedRateLimiter",
    "default_cache_path",
    "default_user_agent",
    "load_cookies",
    "prepare_cache",
]
