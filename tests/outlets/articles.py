"""Invented outlets and articles for the crawl tests (no text here comes from elsewhere)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FixtureArticle:
    slug: str
    title: str
    author: str
    date: str  # ISO date-time, UTC
    lang: str
    paragraphs: tuple[str, ...]

    @property
    def first_words(self) -> str:
        return self.paragraphs[0][:60]


CASPIAN_HERALD = (
    FixtureArticle(
        slug="caspian-drill-aktau",
        title="Naval units rehearse mine clearance off Aktau",
        author="Dana Serikova",
        date="2026-11-20T08:30:00Z",
        lang="en",
        paragraphs=(
            "Naval units from two Caspian states spent three days rehearsing mine clearance "
            "in shallow water off the port of Aktau, the organisers of the drill said on "
            "Friday, describing it as the largest such rehearsal held in the basin this year.",
            "Crews practised locating training mines with towed sonar, marking them with "
            "buoys and handing the positions to divers, who then simulated disposal under "
            "the supervision of instructors from both navies.",
            "Officers told the Caspian Herald that the exercise also tested a shared radio "
            "plan, so that a patrol boat from one navy could hand a contact to a ship of the "
            "other without switching to a common language on an open channel.",
            "A further round of the drill is planned for the spring near the Tyub-Karagan "
            "peninsula, where shallow bays make the same tasks harder for larger vessels.",
        ),
    ),
    FixtureArticle(
        slug="border-posts-fergana",
        title="New border posts open along the Fergana valley",
        author="Rustam Aliev",
        date="2026-11-21T11:00:00Z",
        lang="en",
        paragraphs=(
            "Four new border posts opened this week on a disputed stretch of the Fergana "
            "valley, the border service said, after a year in which patrols from both sides "
            "met at the same crossings several times a month.",
            "Each post has a watchtower, a small barracks and a shared meeting room where "
            "officers from the two services are to settle incidents before they grow.",
            "Local farmers interviewed by the Caspian Herald said the posts had so far made "
            "it easier, not harder, to reach fields that straddle the line.",
        ),
    ),
    FixtureArticle(
        slug="baku-wrestling",
        title="Baku hosts junior wrestling championship",
        author="Leyla Huseynova",
        date="2026-11-22T16:45:00Z",
        lang="en",
        paragraphs=(
            "More than three hundred young wrestlers from eleven countries arrived in Baku "
            "for the junior championship, which opens on Saturday at the city's sports "
            "palace and runs for five days.",
            "Organisers said ticket sales were the highest in a decade, helped by a new "
            "schedule that puts the finals in the evening.",
            "The home team hopes to improve on last year's two gold medals in the lighter "
            "weight classes.",
        ),
    ),
)

STEPPE_WIRE = (
    FixtureArticle(
        slug="unity-exercise-oymasha",
        title="Unity exercise brings five armies to the Oymasha range",
        author="Aigerim Bekova",
        date="2026-11-23T07:15:00Z",
        lang="en",
        paragraphs=(
            "Troops from five countries gathered at the Oymasha training ground for the "
            "command-post phase of the Unity exercise, the defence ministry said, with "
            "staff officers planning a river crossing and a counter-attack on maps first.",
            "The field phase, with armoured vehicles and artillery, is due to follow next "
            "month, weather permitting, on the ranges north of the coast.",
            "An observer from the Steppe Wire counted more than forty staff vehicles in the "
            "camp, most of them new, and signallers testing a field network.",
        ),
    ),
    FixtureArticle(
        slug="grain-exports",
        title="Grain exports through the Caspian ports rise again",
        author="Timur Akhmetov",
        date="2026-11-24T09:00:00Z",
        lang="en",
        paragraphs=(
            "Grain shipments leaving the Caspian ports rose for the third month running, "
            "traders said, as barges that waited out the autumn storms finally sailed.",
            "Freight rates fell slightly from their summer peak, making the route more "
            "attractive to mills across the sea.",
            "Port officials expect the season to end early if ice forms in the northern "
            "shallows before the middle of December.",
        ),
    ),
)

CYRILLIC_DAILY = (
    FixtureArticle(
        slug="ucheniya-kaspiy",
        title="Учения на Каспии завершились стрельбами",
        author="Ирина Волкова",
        date="2026-11-25T06:00:00Z",
        lang="ru",
        paragraphs=(
            "Совместные учения военно-морских сил на Каспийском море завершились боевыми "
            "стрельбами по морским мишеням, сообщили в штабе учений в пятницу.",
            "Экипажи кораблей отработали поиск подводных лодок условного противника и "
            "оборону побережья от высадки морского десанта.",
            "По словам организаторов, следующий этап учений пройдёт весной у полуострова "
            "Тюб-Караган, где мелководье усложняет манёвры крупных кораблей.",
        ),
    ),
    FixtureArticle(
        slug="teatr-premera",
        title="Премьера в драматическом театре собрала полный зал",
        author="Пётр Соколов",
        date="2026-11-26T18:30:00Z",
        lang="ru",
        paragraphs=(
            "Новая постановка городского драматического театра собрала полный зал в день "
            "премьеры, а билеты на декабрь раскуплены почти полностью.",
            "Режиссёр спектакля рассказал, что репетиции шли полгода, а декорации "
            "собирали сами актёры в свободное от спектаклей время.",
            "Следующий показ запланирован на первые выходные декабря.",
        ),
    ),
)

CP1251_DAILY = (
    FixtureArticle(
        slug="1",
        title="Пограничники провели учения в горах",
        author="Алексей Петров",
        date="2026-11-26T05:00:00Z",
        lang="ru",
        paragraphs=(
            "Пограничные заставы в горном районе провели учения по задержанию нарушителей "
            "границы, сообщила пресс-служба пограничной службы в четверг.",
            "В учениях участвовали кинологи, вертолётный экипаж и группы быстрого "
            "реагирования, которые отрабатывали действия ночью и в тумане.",
            "Итоги учений обсудят на совещании командиров застав в конце месяца.",
        ),
    ),
)

VALLEY_SUBJECTS = (
    ("reservoir", "A reservoir upgrade is finished ahead of winter"),
    ("airfield", "Old airfield near the valley is to be rebuilt for cargo flights"),
    ("rail-link", "Rail link across the valley carries its first freight train"),
    ("school-year", "Valley schools add evening classes for adults"),
    ("archive", "An archive of valley newspapers goes online"),
)


# One invented reporter per subject (a byline holds names, not numbers: the extraction cuts
# a name where a date or a number begins).
VALLEY_REPORTERS = (
    "Ainur Tokaeva",
    "Bakhyt Omarov",
    "Gulnara Ismailova",
    "Daniyar Seitkali",
    "Elmira Kasymova",
)


def valley_articles() -> tuple[FixtureArticle, ...]:
    """Five short articles of the listing-only outlet, each on its own subject."""
    made = []
    for number, (slug, title) in enumerate(VALLEY_SUBJECTS, start=1):
        made.append(
            FixtureArticle(
                slug=slug,
                title=title,
                author=VALLEY_REPORTERS[number - 1],
                date=f"2026-11-1{number}T10:00:00Z",
                lang="en",
                paragraphs=(
                    f"{title}, officials told the Valley Times, in a project that took "
                    f"{number + 2} years from the first plan to the opening day.",
                    f"Work on the {slug.replace('-', ' ')} project employed about "
                    f"{number * 40} people from nearby towns, most of them hired locally.",
                    f"Residents said the {slug.replace('-', ' ')} project would change daily "
                    "life in the valley more than anything built in the previous decade.",
                ),
            )
        )
    return tuple(made)


EVIL_OUTLET_ARTICLE = FixtureArticle(
    slug="ok-article",
    title="Ferry timetable changes for the winter season",
    author="Desk editor",
    date="2026-11-19T12:00:00Z",
    lang="en",
    paragraphs=(
        "The ferry between the two harbours will sail twice a week instead of four times "
        "from December, the operator said, because fewer passengers travel in winter.",
        "Tickets already sold for cancelled sailings can be exchanged at either harbour or "
        "refunded in full until the end of the month.",
    ),
)
