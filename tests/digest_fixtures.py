"""Invented articles and source health for the digest tests (and the screenshot script).

The period under test is the 24 hours before NOW. Everything is written through the real
storage API into a real database file.
"""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from config import Config, parse_config_text
from storage import Article, FetchRecord, SourceOutcome, Storage
from storage.timeutil import to_iso

NOW = datetime(2024, 7, 15, 7, 0, tzinfo=UTC)
IN_PERIOD = NOW - timedelta(hours=20)
BEFORE = NOW - timedelta(days=5)

SCRIPT_TITLE = "<script>alert(1)</script>"
JS_URL = "javascript:alert(1)"

CONFIG_TOML = """
[storage]
path = "{db}"

[[sources]]
name = "AzerNews"
kind = "feed"
url = "https://www.azernews.az/feed.php"

[[sources]]
name = "Trend"
kind = "feed"
url = "https://en.trend.az/feeds/index.rss"

[[sources]]
name = "Eurasianet"
kind = "feed"
url = "https://eurasianet.org/rss.xml"

[[sources]]
name = "Kazinform"
kind = "feed"
url = "https://inform.kz/en/rss"

[[sources]]
name = "Kloop"
kind = "feed"
url = "https://kloop.kg/feed/"

[[sources]]
name = "Report.az"
kind = "feed"
url = "https://report.az/rss/"

[profile]
threshold = 0.5

[digest]
output_dir = "{out}"
formats = ["html", "markdown"]
{email}
"""


def make_config(tmp: Path, email: str = "") -> Config:
    text = CONFIG_TOML.format(db=tmp / "news.db", out=tmp / "digests", email=email)
    return parse_config_text(text, "test.toml", base=tmp)


def _at(moment: datetime, hours: float = 0) -> str:
    return to_iso(moment + timedelta(hours=hours))


def article(
    slug: str,
    title: str,
    source: str,
    relevance: float,
    seen: str,
    *,
    published: str | None = None,
    matched: tuple[str, ...] = (),
    author: str | None = None,
    text: str = "",
    lang: str = "en",
    url: str | None = None,
    duplicate_of: int | None = None,
    threshold: float = 0.5,
) -> Article:
    address = url or f"https://news.example/{slug}"
    return Article(
        url=address,
        canonical_url=address,
        source=source,
        title=title,
        author=author,
        published_at=published or seen,
        text=text or f"{title}. Fixture body text for {slug}, invented for the digest tests.",
        lang=lang,
        relevance=relevance,
        relevant=relevance >= threshold,
        matched=matched,
        duplicate_of=duplicate_of,
        first_seen_at=seen,
    )


def fill(storage: Storage, config: Config) -> dict[str, int]:
    """Store the fixture articles and fetch history; return article ids by short name."""
    storage.prepare(config)
    seed = storage.articles.seed()
    assert seed is not None and seed.id is not None
    ids: dict[str, int] = {"seed": seed.id}

    def add(name: str, item: Article) -> int:
        new_id = storage.articles.add(item)
        assert new_id is not None, name
        ids[name] = new_id
        return new_id

    # Before the period: an earlier story (copied again inside the period) and older coverage
    # that only the weekly chart shows.
    add(
        "earlier",
        article(
            "astana-ministers",
            "Turkic states' defence ministers meet in Astana",
            "Eurasianet",
            0.74,
            _at(BEFORE),
            matched=("Astana", "defence ministers"),
        ),
    )
    for week in range(1, 14):
        seen = NOW - timedelta(weeks=week, days=1)
        add(
            f"history{week}",
            article(
                f"history-{week}",
                f"Regional drills preparation report, week {week}",
                "AzerNews",
                0.6 + week / 100,
                _at(seen),
                matched=("Unity-2024",),
            ),
        )

    top = add(
        "top",
        article(
            "birlik-opens",
            "Azerbaijan and Kazakhstan open Birlik-2024 drills at Oymasha range",
            "AzerNews",
            0.93,
            _at(IN_PERIOD),
            published=_at(IN_PERIOD, -2),
            matched=("Oymasha", "Birlik-2024", "Kazakhstan"),
            author="Lamiya Rustamova",
            text=(
                "Units of the Azerbaijani and Kazakh armed forces began the Birlik-2024 "
                "command-staff exercise at the Oymasha training ground on Sunday, with "
                "Kyrgyz, Tajik and Uzbek observers. The drills continue on the Tyub-Karagan "
                "peninsula, where naval units practise a landing on the Caspian shore. "
                "Officials said the scenario covers logistics, air defence and "
                "communications between five national staffs."
            ),
        ),
    )
    add(
        "top_copy_trend",
        article(
            "trend-birlik",
            "Azerbaijan, Kazakhstan open Birlik-2024 drills",
            "Trend",
            0.9,
            _at(IN_PERIOD, 1),
            duplicate_of=top,
        ),
    )
    add(
        "top_copy_report",
        article(
            "report-birlik",
            "Birlik-2024 drills begin at Oymasha",
            "Report.az",
            0.9,
            _at(IN_PERIOD, 3),
            duplicate_of=top,
        ),
    )
    add(
        "cyrillic",
        article(
            "tyub-karagan-ru",
            "Казахстан и Азербайджан проведут совместные учения на полуострове Тюб-Караган",
            "Kazinform",
            0.88,
            _at(IN_PERIOD, 2),
            matched=("Тюб-Караган", "учения"),
            author="Айгерим Садыкова",
            lang="ru",
            text="Совместные учения пройдут в июле на полуострове Тюб-Караган и полигоне Оймаша.",
        ),
    )
    add(
        "azerbaijani",
        article(
            "birge-telim-az",
            "Azərbaycan Ordusunun bölmələri Qazaxıstanda birgə təlimlərə qatılır",
            "Trend",
            0.81,
            _at(IN_PERIOD, 4),
            matched=("birgə təlimlər", "Qazaxıstan"),
            author="Əli Məmmədov",
            lang="az",
            text=(
                "Azərbaycan Ordusunun bölmələri Qazaxıstanın Oymaşa poliqonunda təlimlərə başlayır."
            ),
        ),
    )
    add(
        "caspian",
        article(
            "aktau-caspian",
            "Caspian naval cooperation: what the Aktau conference agreed",
            "Eurasianet",
            0.67,
            _at(IN_PERIOD, 5),
            matched=("Aktau", "Caspian"),
        ),
    )
    add(
        "js_link",
        article(
            "js-link",
            "Uzbek and Kyrgyz units join the Caspian exercise",
            "Trend",
            0.6,
            _at(IN_PERIOD, 6),
            url=JS_URL,
            matched=("Caspian",),
        ),
    )
    add(
        "script",
        article(
            "script-title",
            SCRIPT_TITLE,
            "Kloop",
            0.55,
            _at(IN_PERIOD, 7),
            text='Body with <img src=x onerror="alert(2)"> and [a link](javascript:alert(3)).',
        ),
    )
    add(
        "below",
        article(
            "energy-forum",
            "Baku hosts regional energy forum",
            "AzerNews",
            0.21,
            _at(IN_PERIOD, 8),
            matched=("Baku",),
        ),
    )
    add(
        "earlier_copy",
        article(
            "kazinform-astana",
            "Defence ministers of Turkic states met in Astana",
            "Kazinform",
            0.7,
            _at(IN_PERIOD, 9),
            duplicate_of=ids["earlier"],
        ),
    )
    add(
        "seed_copy",
        article(
            "trend-seed-copy",
            "Azerbaijan prioritises relations with Central Asia",
            "Trend",
            0.95,
            _at(IN_PERIOD, 10),
            duplicate_of=seed.id,
        ),
    )

    # Source health: four polled fine in the period, Eurasianet failing now, Kloop failing
    # for days (its last fetch fell before the period).
    for name in ("AzerNews", "Trend", "Kazinform", "Report.az"):
        _record(storage, _fetch(name, IN_PERIOD, "ok"))
    _record(storage, _fetch("Eurasianet", IN_PERIOD, "ok"))
    _record(
        storage,
        _fetch("Eurasianet", NOW - timedelta(hours=1), "error", "HTTP 503 Service Unavailable"),
    )
    for hours in (30, 28, 26):
        _record(
            storage,
            _fetch("Kloop", NOW - timedelta(hours=hours), "error", "DNS lookup failed: kloop.kg"),
        )
    return ids


def _record(storage: Storage, fetch: FetchRecord) -> None:
    """Write a fetch and the source health it leaves, as a crawl does."""
    outcome = SourceOutcome(source=fetch.source, finished_at=fetch.finished_at, error=fetch.error)
    storage.sources.record_fetches([fetch], outcome, timedelta(hours=1))


def _fetch(source: str, at: datetime, status: str, error: str | None = None) -> FetchRecord:
    return FetchRecord(
        source=source,
        url=f"https://{source.lower()}.example/feed",
        started_at=to_iso(at),
        finished_at=to_iso(at + timedelta(seconds=5)),
        status=status,
        error=error,
    )


def add_later(storage: Storage, when: datetime, title: str = "Kyrgyz air defence upgrade") -> int:
    """One more relevant article, first seen at `when`."""
    item = article("later-" + to_iso(when), title, "Kazinform", 0.77, to_iso(when))
    new_id = storage.articles.add(replace(item, matched=("air defence",)))
    assert new_id is not None
    return new_id


# Sixty invented stories in six countries and four languages over nine weeks: the digest
# as an analyst sees it on a busy morning (tests/test_digest_look.py, bench/digest_screenshot.py).
COUNTRIES = ("Kazakhstan", "Azerbaijan", "Armenia", "Georgia", "Kyrgyzstan", "Uzbekistan")
CITIES = {
    "Kazakhstan": "Aktau",
    "Azerbaijan": "Baku",
    "Armenia": "Yerevan",
    "Georgia": "Tbilisi",
    "Kyrgyzstan": "Bishkek",
    "Uzbekistan": "Tashkent",
}
LANGUAGES = ("en", "ru", "az", "kk")
LOOK_STORIES = 60
LOOK_START = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday
LOOK_UNTIL = LOOK_START + timedelta(weeks=9)  # a Monday too: the digest covers whole weeks
LOOK_TERMS = (
    "defense:exercise",
    "actor:army",
    "weapon:artillery",
    "actor:border guards",
    "weapon:drones",
    "defense:air defence",
    "actor:navy",
    "weapon:tanks",
)


LOOK_OUTLETS = (
    "Steppe Herald",
    "Kaspiy Vestnik",
    "Dala Zharshysy",
    "Caucasus Ledger",
    "Ararat Wire",
    "Kura Daily",
    "Fergana Courier",
)


def look_story(n: int) -> Article:
    # Each country's stories are 6 days apart: never one story, each its own.
    seen = LOOK_START + timedelta(hours=25 * n + 3)
    place = _look_place(n)
    return article(
        f"story-{n}",
        look_title(n),
        LOOK_OUTLETS[n % len(LOOK_OUTLETS)],
        round(0.95 - n * 0.005, 3),
        to_iso(seen),
        matched=(f"place:{place}", *LOOK_TERMS, "lang:regional", "seed:0.12"),
        lang=LANGUAGES[n % len(LANGUAGES)],
        url=f"https://outlet{n % 7}.example/news/{n}?utm_source=rss&id={n}&fbclid=x1",
    )


HEADLINES = (
    "Joint staff exercise opens near {place}",
    "Border guards report shooting incident outside {place}",
    "Defence ministry receives new air defence systems in {place}",
    "Naval units rehearse a landing on the coast near {place}",
    "Army drone regiment formed at a base near {place}",
    "Military delegation visits {place} to discuss arms deliveries",
    "Ammunition depot blast injures soldiers near {place}",
    "Reservists called up for a mobilisation drill in {place}",
    "Artillery brigade holds live-fire training near {place}",
    "Defence chiefs sign a cooperation plan in {place}",
)


def _look_place(n: int) -> str:
    country = COUNTRIES[n % len(COUNTRIES)]
    return CITIES[country] if (n // len(COUNTRIES)) % 2 else country


def look_title(n: int) -> str:
    return f"{HEADLINES[n % len(HEADLINES)].format(place=_look_place(n))} (report {n})"
