"""robots.txt, read the way Google documents it: only its first 500 KiB count.

Each article request is checked against every rule of its host's robots.txt; a hostile
file of 2.5 MB (100,000 wildcard rules, under the download limit) costs 16 ms per check,
so a few hundred pages cost seconds of the crawl process's CPU. Real files are a few KiB.
"""

from scrapy.robotstxt import ProtegoRobotParser
from scrapy.spiders import Spider

MAX_ROBOTS_BYTES = 500 * 1024


class BoundedRobotParser(ProtegoRobotParser):
    def __init__(self, robotstxt_body: bytes, spider: Spider | None):
        # Cut at the last line end before the limit: a rule cut in half would mean another.
        head = robotstxt_body[:MAX_ROBOTS_BYTES]
        if len(robotstxt_body) > MAX_ROBOTS_BYTES:
            head = head[: head.rfind(b"\n") + 1]
        super().__init__(head, spider)
