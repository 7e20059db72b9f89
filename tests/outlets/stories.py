"""Invented outlets in three languages that follow the seed's matter (no text here comes
from elsewhere): the planning conference in Aktau reported in Russian days before the seed,
the exercise of the seed opening in July 2024 as reported in English, Russian and Kazakh,
next year's edition in Uzbekistan (a sequel), and an unrelated border incident the same
week as the opening.

Served on invented hosts through the loopback server as a proxy (`StoryOutlets.routes`).
"""

from collections.abc import Callable
from typing import Any, ClassVar

from tests.outlets.articles import FixtureArticle

CONFERENCE_RU = FixtureArticle(
    slug="aktau-konferentsiya-birlestik",
    title="В Актау обсудили подготовку учений «Бирлестик-2024»",
    author="Айгерим Нурланова",
    date="2024-04-06T09:00:00Z",
    lang="ru",
    paragraphs=(
        "В Актау прошла конференция по планированию совместных военных учений "
        "«Бирлестик-2024», которые вооруженные силы Азербайджана, Казахстана, Кыргызстана, "
        "Таджикистана и Узбекистана проведут в июле.",
        "Учения пройдут на полигоне Оймаша и на полуострове Тюб-Караган на Каспийском море. "
        "Участники конференции согласовали замысел учений, состав сил и порядок "
        "взаимодействия штабов.",
        "По словам организаторов, в учениях примут участие около 1 500 военнослужащих. "
        "Следующая встреча рабочей группы назначена на июнь.",
    ),
)

OPENING_EN = FixtureArticle(
    slug="unity-2024-opens-at-oymasha",
    title="Unity-2024 exercise opens at Oymasha",
    author="Dana Serikova",
    date="2024-07-15T08:00:00Z",
    lang="en",
    paragraphs=(
        "The joint military exercise Unity-2024 opened on Monday at the Oymasha training "
        "ground in the Mangystau region of Kazakhstan, with troops from Azerbaijan, "
        "Kazakhstan, Kyrgyzstan, Tajikistan and Uzbekistan taking part.",
        "About 1,500 servicemen and 300 pieces of equipment are involved, the defence "
        "ministry of Kazakhstan said. Part of the drills will be held on the Tyub-Karagan "
        "peninsula on the Caspian Sea.",
        "Officers said the units would rehearse a joint operation against armed groups and a "
        "landing from the sea before the final phase on Friday.",
    ),
)

OPENING_RU = FixtureArticle(
    slug="oymasha-birlestik-2024",
    title="На полигоне Оймаша начались учения «Бирлестик-2024»",
    author="Айгерим Нурланова",
    date="2024-07-15T10:30:00Z",
    lang="ru",
    paragraphs=(
        "На полигоне Оймаша в Мангистауской области Казахстана начались совместные учения "
        "«Бирлестик-2024» с участием военнослужащих Азербайджана, Казахстана, Кыргызстана, "
        "Таджикистана и Узбекистана.",
        "Задействовано около 1 500 военнослужащих и 300 единиц техники, сообщило "
        "министерство обороны Казахстана. Часть эпизодов пройдет на полуострове Тюб-Караган.",
        "Подразделения отработают совместную операцию против незаконных вооруженных "
        "формирований и высадку морского десанта.",
    ),
)

OPENING_KK = FixtureArticle(
    slug="oymasha-birlestik-2024-zhattygu",
    title="Оймаша полигонында «Бірлестік-2024» жаттығуы басталды",
    author="Ерлан Сәрсенов",
    date="2024-07-15T12:00:00Z",
    lang="kk",
    paragraphs=(
        "Маңғыстау облысындағы Оймаша полигонында Әзірбайжан, Қазақстан, Қырғызстан, "
        "Тәжікстан және Өзбекстан әскерилерінің қатысуымен «Бірлестік-2024» бірлескен "
        "әскери жаттығуы басталды.",
        "Жаттығуға 1 500 әскери қызметші мен 300 техника тартылған. Жаттығудың бір бөлігі "
        "Каспий теңізіндегі Түпқараған түбегінде өтеді.",
        "Бөлімдер заңсыз қарулы топтарға қарсы бірлескен операция мен теңізден десант "
        "түсіруді пысықтайды.",
    ),
)

CLASH_EN = FixtureArticle(
    slug="batken-border-guards-exchange-fire",
    title="Kyrgyz and Tajik border guards exchange fire in Batken",
    author="Rustam Aliev",
    date="2024-07-16T08:00:00Z",
    lang="en",
    paragraphs=(
        "Border guards of Kyrgyzstan and Tajikistan exchanged fire near the village of "
        "Kok-Tash in the Batken region on Tuesday, the Kyrgyz border service said.",
        "Four servicemen were wounded. Both sides accused each other of provoking the "
        "incident and called for a meeting of the border commanders.",
        "Residents of nearby villages said they heard shooting for about an hour.",
    ),
)

SEQUEL_EN = FixtureArticle(
    slug="unity-2025-opens-in-uzbekistan",
    title="Unity-2025 exercise opens in Uzbekistan",
    author="Dana Serikova",
    date="2025-07-21T08:00:00Z",
    lang="en",
    paragraphs=(
        "The joint military exercise Unity-2025 opened at the Forish training ground in "
        "Uzbekistan with troops from Azerbaijan, Kazakhstan, Kyrgyzstan, Tajikistan and "
        "Uzbekistan, a year after the previous edition was held in Kazakhstan.",
        "About 2,000 servicemen take part, the defence ministry of Uzbekistan said.",
        "The drills will end with live firing on Saturday.",
    ),
)


class StoryOutlets:
    """Steppe Herald (English), Kaspiy Vestnik (Russian) and Dala Zharshysy (Kazakh), each
    with an RSS feed of its articles on its own invented host."""

    OUTLETS: ClassVar[dict[str, tuple[str, tuple[FixtureArticle, ...]]]] = {
        "Steppe Herald": ("steppeherald.test", (OPENING_EN, CLASH_EN, SEQUEL_EN)),
        "Kaspiy Vestnik": ("kaspiyvestnik.test", (CONFERENCE_RU, OPENING_RU)),
        "Dala Zharshysy": ("dalazharshysy.test", (OPENING_KK,)),
    }

    def __init__(self, page: Callable[[FixtureArticle, str], Any], feed: Callable[..., Any]):
        self.page = page
        self.feed = feed

    def feeds(self) -> dict[str, str]:
        """Source name → feed URL."""
        return {name: f"http://{host}/rss.xml" for name, (host, _) in self.OUTLETS.items()}

    @staticmethod
    def url(outlet: str, article: FixtureArticle) -> str:
        host = StoryOutlets.OUTLETS[outlet][0]
        return f"http://{host}/news/{article.slug}"

    def routes(self) -> dict[str, Callable[[], Any]]:
        routes: dict[str, Callable[[], Any]] = {}
        for name, (host, articles) in self.OUTLETS.items():
            items = [(a, self.url(name, a), None) for a in articles]
            routes[f"//{host}/rss.xml"] = self._feed(name, items)
            for article in articles:
                routes[f"//{host}/news/{article.slug}"] = self._page(article, name)
        return routes

    def _feed(self, name: str, items: list[Any]) -> Callable[[], Any]:
        return lambda: self.feed(name, items)

    def _page(self, article: FixtureArticle, name: str) -> Callable[[], Any]:
        return lambda: self.page(article, name)
