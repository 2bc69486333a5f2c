"""The minimal Scrapy spider that benchmarks/crawl_speed.py compares schedscrape with.

Same job: read the calendar, follow every session link of the year, extract each card (title,
event link, authors, type, board, abstract) and write the items to a JSON feed.

    python benchmarks/scrapy_spider.py CALENDAR_URL OUTPUT.json
"""

from __future__ import annotations

import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class SessionSpider(scrapy.Spider):
    name = "sessions"

    def __init__(self, calendar: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = [calendar]
        self.year = calendar.split("/virtual/")[1].split("/")[0]

    def parse(self, response):
        for href in response.css("a::attr(href)").getall():
            if href.startswith(f"/virtual/{self.year}/session/") and "#" not in href:
                yield response.follow(href, self.parse_session)

    def parse_session(self, response):
        for card in response.css("div.track-schedule-card"):
            link = card.css("h5 a")
            yield {
                "session": response.url,
                "title": " ".join(link.css("::text").getall()).strip(),
                "url": response.urljoin(link.attrib.get("href", "")),
                "authors": [
                    a.strip() for a in " ".join(card.css("p.text-muted ::text").getall()).split("·")
                ],
                "type": card.css("div.float-end.small::text").get(default="").strip(),
                "board": card.css("[title='Poster Position']::text").get(default="").strip(),
                "abstract": " ".join(card.css("div.abstract ::text").getall()).strip(),
            }


def main() -> None:
    calendar, output = sys.argv[1], sys.argv[2]
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": 8,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "DOWNLOAD_DELAY": 0,
            "ROBOTSTXT_OBEY": True,
            "LOG_LEVEL": "ERROR",
            "TELNETCONSOLE_ENABLED": False,
            "FEEDS": {output: {"format": "json", "overwrite": True}},
        }
    )
    process.crawl(SessionSpider, calendar=calendar)
    process.start()


if __name__ == "__main__":
    main()
