"""Invented outlets for the copy-recognition faults a new-user trial found (no text here comes
from elsewhere):

- short items carried verbatim by another outlet (under 200 letters: no MinHash);
- tiny texts equal by chance (a teaser, a caption) under other headlines or too few words;
- a syndication hub serving two outlets' feeds from one host: a wire and an outlet that
  reprints one of its stories, crediting it; another outlet, on its own host, reprinting
  another. The reprints' pages keep the wire's date; their feeds list them a day later.

`CopyOutlets.routes()` are "//host/path" routes for tests/outlets/server.py (crawled through
its proxy, so the invented hosts resolve).
"""

from collections.abc import Callable

from tests.outlets.articles import FixtureArticle
from tests.outlets.server import Reply, article_page, rfc822, rss_feed

# -- short items (reduced text well under neardup.MIN_CHARS) -----------------------------

BRIDGE_UZ = FixtureArticle(
    slug="samarqand-koprik",
    title="Samarqand viloyatida yangi ko'prik qurilishi boshlandi",
    author="Dilshod Karimov",
    date="2026-12-03T07:00:00Z",
    lang="uz",
    paragraphs=(
        "Zarafshon daryosi ustida yangi ko'prik qurilishi boshlandi.",
        "Ko'prik 2027 yilning kuzida foydalanishga topshiriladi.",
        "Loyiha qiymati 40 milliard so'm.",
    ),
)

BORDER_POST_KY = FixtureArticle(
    slug="batken-zastava",
    title="Баткенде жаңы чек ара заставасы ачылды",
    author="Айгүл Токтосунова",
    date="2026-12-03T10:00:00Z",
    lang="ky",
    paragraphs=(
        "Баткен облусунда жаңы чек ара заставасы ачылды.",
        "Анда 40 аскер кызмат өтөйт, деп билдирди чек ара кызматы.",
    ),
)

# -- tiny texts equal by chance: the pages are gone, so the feeds' summaries are stored ---

TEASER = "Continue reading the full story on our website, with photos and video from the scene."
CAPTION = "Photo: press service."
PHOTO_TITLE = "Photo of the day"

SHIPYARD_TITLE = "Shipyard in Baku launches a hydrographic survey vessel"
TREATY_TITLE = "Parliament opens the debate on the border demarcation treaty"

# -- the wire story and its reprints ----------------------------------------------------

WIRE_STORY = FixtureArticle(
    slug="caspian-survey-mines",
    title="Survey ships chart old mines on the Caspian seabed",
    author="Rustam Aliyev",
    date="2026-12-04T09:00:00Z",
    lang="en",
    paragraphs=(
        "Two survey ships have begun charting old sea mines left on the Caspian seabed off "
        "the Absheron peninsula, the maritime administration said on Friday, in the first "
        "systematic search of the area since the nineteen-nineties.",
        "The ships tow side-scan sonar along lanes two hundred metres apart and mark every "
        "contact for divers, who will decide which objects can be lifted and which must be "
        "destroyed where they lie, according to the administration.",
        "Fishing cooperatives have asked for the work for years after nets snagged on metal "
        "objects near the shipping lane, and one trawler reported a suspected mine in its "
        "catch last spring, prompting a temporary closure of the lane.",
        "The survey is planned to last until March and will then move north, towards the "
        "approaches of the port, where the administration expects fewer contacts but deeper "
        "water and stronger currents.",
        "Officials said the charts would be shared with neighbouring coastal states so that "
        "their own navies and fishing fleets can avoid the marked areas.",
    ),
)

# A second wire story, which only the hub's other outlet reprints.
WIRE_FERRY = FixtureArticle(
    slug="ferry-line-turkmenbashi",
    title="New ferry line links Baku and Turkmenbashi twice a week",
    author="Leyla Huseynova",
    date="2026-12-04T11:00:00Z",
    lang="en",
    paragraphs=(
        "A new ferry line between Baku and Turkmenbashi will sail twice a week from January, "
        "the shipping company said on Friday, carrying lorries, rail wagons and up to one "
        "hundred passengers on each crossing.",
        "The company said the crossing would take about fourteen hours in calm weather and "
        "that bookings would open online before the end of the month, with discounts for "
        "hauliers who reserve a year of crossings.",
        "Port officials on both shores expect the line to shorten the queues of lorries that "
        "form every winter when storms halt the older ferries for days at a time.",
    ),
)


def reprint(story: FixtureArticle, slug: str, header: str, footer: str) -> FixtureArticle:
    """A reprint that credits the wire: its own header and footer, the wire's page date
    (reprints keep the original's date line)."""
    return FixtureArticle(
        slug=slug,
        title=story.title,
        author=story.author,
        date=story.date,
        lang=story.lang,
        paragraphs=(header, *story.paragraphs, footer),
    )


STEPPE_REPRINT = reprint(
    WIRE_FERRY,
    "steppe-mines-absheron",
    "STEPPE DAILY. Reprinted with permission.",
    "This article first appeared on Caspian Wire.",
)
ARAL_REPRINT = reprint(
    WIRE_STORY,
    "aral-caspian-mines",
    "ARAL TIMES | partner content",
    "Source: Caspian Wire. Aral Times carries partner reports unchanged.",
)

# The wire's feed lists its stories at their page's time; the reprints' feeds a day later.
STEPPE_LISTED = "2026-12-05T06:00:00Z"
ARAL_LISTED = "2026-12-05T08:00:00Z"


class CopyOutlets:
    VODIY = "vodiy.test"
    TEZKOR = "tezkor.test"
    ALA_TOO = "alatoo.test"
    OSH = "oshnews.test"
    # A syndication hub: Caspian Wire and Steppe Daily on one host; Steppe Daily reprints
    # the wire's ferry story, Aral Times (its own host) the mines story.
    HUB = "hub.test"
    ARAL = "araltimes.test"

    def feeds(self) -> dict[str, str]:
        """Source name → feed URL."""
        return {
            "Vodiy Yangiliklari": f"http://{self.VODIY}/rss.xml",
            "Tezkor Xabar": f"http://{self.TEZKOR}/rss.xml",
            "Ala-Too Kabar": f"http://{self.ALA_TOO}/rss.xml",
            "Osh Jarchysy": f"http://{self.OSH}/rss.xml",
            "Caspian Wire": f"http://{self.HUB}/wire/rss.xml",
            "Steppe Daily": f"http://{self.HUB}/steppe/rss.xml",
            "Aral Times": f"http://{self.ARAL}/feed.xml",
        }

    def page_url(self, host: str, path: str) -> str:
        return f"http://{host}{path}"

    def routes(self) -> dict[str, Callable[[], Reply]]:
        routes: dict[str, Callable[[], Reply]] = {}
        # Short items: the first outlet's page, then another outlet's verbatim copy (its own
        # URL, the same headline and text).
        for host, outlet, article, teaser_title, photo in (
            (self.VODIY, "Vodiy Yangiliklari", BRIDGE_UZ, SHIPYARD_TITLE, "/photo/1"),
            (self.TEZKOR, "Tezkor Xabar", BRIDGE_UZ, TREATY_TITLE, "/photo/2"),
            (self.ALA_TOO, "Ala-Too Kabar", BORDER_POST_KY, None, None),
            (self.OSH, "Osh Jarchysy", BORDER_POST_KY, None, None),
        ):
            path = f"/news/{article.slug}-{host.split('.')[0]}"
            items = [self._item(article, self.page_url(host, path), article.date)]
            routes[f"//{host}{path}"] = self._page(article, outlet)
            if teaser_title is not None and photo is not None:
                # Items whose pages are gone (404): only the feed's summary is stored.
                items.append(self._summary(teaser_title, f"http://{host}/gone/teaser", TEASER))
                items.append(self._summary(PHOTO_TITLE, f"http://{host}{photo}", CAPTION))
            routes[f"//{host}/rss.xml"] = self._feed(outlet, items)
        # The wire story and its reprints; every page says 2026-12-04 09:00.
        for host, outlet, path, articles, listed in (
            (self.HUB, "Caspian Wire", "/wire/rss.xml", (WIRE_STORY, WIRE_FERRY), None),
            (self.HUB, "Steppe Daily", "/steppe/rss.xml", (STEPPE_REPRINT,), STEPPE_LISTED),
            (self.ARAL, "Aral Times", "/feed.xml", (ARAL_REPRINT,), ARAL_LISTED),
        ):
            items = []
            for article in articles:
                page = f"{path.rsplit('/', 1)[0]}/news/{article.slug}.html"
                routes[f"//{host}{page}"] = self._page(article, outlet)
                when = listed or article.date
                items.append(self._item(article, self.page_url(host, page), when))
            routes[f"//{host}{path}"] = self._feed(outlet, items)
        return routes

    def _item(self, article: FixtureArticle, link: str, listed: str) -> dict[str, str]:
        return {
            "title": article.title,
            "link": link,
            "pubDate": rfc822(listed),
            "author": article.author,
            "description": article.paragraphs[0],
        }

    def _summary(self, title: str, link: str, description: str) -> dict[str, str]:
        return {
            "title": title,
            "link": link,
            "pubDate": rfc822("2026-12-03T12:00:00Z"),
            "description": description,
        }

    def _page(self, article: FixtureArticle, outlet: str) -> Callable[[], Reply]:
        return lambda: Reply(200, article_page(article, outlet).encode("utf-8"))

    def _feed(self, title: str, items: list[dict[str, str]]) -> Callable[[], Reply]:
        return lambda: Reply(200, rss_feed(title, items).encode(), "application/rss+xml")
