"""The worker processes behind `scrape` and `crawl`: how they start, share the cache and fail."""

import sqlite3

import schedscrape.scrape as scrape_module
from schedscrape.cli import main
from schedscrape.fetch import CacheError, FetchOptions, prepare_cache
from tests.conftest import forked_workers
from tests.fakesite import FakeSite, SiteConfig


def test_prepared_cache_is_in_wal_mode_with_its_tables(tmp_path):
    path = tmp_path / "new" / "cache.sqlite"
    prepare_cache(FetchOptions(cache_path=path))
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert "responses" in tables


@forked_workers
def test_a_worker_that_cannot_open_the_cache_fails_its_pages_in_one_line(
    tmp_path, monkeypatch, capsys
):
    real_fetcher = scrape_module.Fetcher
    parent = scrape_module.os.getpid()

    def fetcher_failing_in_workers(*args, **kwargs):
        if scrape_module.os.getpid() != parent:
            raise CacheError("cannot open the HTTP cache: disk full")
        return real_fetcher(*args, **kwargs)

    monkeypatch.setattr(scrape_module, "Fetcher", fetcher_failing_in_workers)
    with FakeSite(SiteConfig(sessions=[101, 102])) as site:
        status = main(
            [
                "scrape",
                f"{site.url}/virtual/2022/session/101",
                f"{site.url}/virtual/2022/session/102",
                "-o",
                str(tmp_path / "out"),
                "--cache",
                str(tmp_path / "cache.sqlite"),
                "--concurrency",
                "2",
            ]
        )
    err = capsys.readouterr().err
    assert status == 1
    assert err.count("disk full") == 2 and "Traceback" not in err
    assert (tmp_path / "out" / "errors.jsonl").read_text().count("disk full") == 2
