"""Invented defense events of the region, reported by invented outlets in English, Russian,
Azerbaijani and Kazakh: the labelled set of bench/stories_bench.py (and, with another seed,
its background of stored articles).

Every event is reported by several outlets in their own words (one of a few templates per
kind and language, with the names in that language's spelling and case), some reports are
syndicated copies on another outlet (a header, a credit line, glued words), some are
follow-ups a few days later (an exercise ends, a ceasefire after a clash). Look-alikes are
planted on purpose: the next year's edition of an exercise series (a sequel: another story
on the same thread), and two events of one kind with the same actors in the same week (two
border incidents in one province, two deliveries of the same weapon). No text here comes
from elsewhere; facts (country names, a range's name) are facts.
"""

import random
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

LANGS = ("en", "ru", "az", "kk")


@dataclass(frozen=True)
class Name:
    """A name in each language: nominative, genitive, locative (English: one form)."""

    en: str
    ru: tuple[str, str, str]
    az: tuple[str, str, str]
    kk: tuple[str, str, str]

    def __call__(self, lang: str, case: int = 0) -> str:
        if lang == "en":
            return self.en
        forms: tuple[str, str, str] = getattr(self, lang)
        return forms[case]


def N(en: str, ru: str, az: str, kk: str) -> Name:  # a name that does not decline
    return Name(en, (ru, ru, ru), (az, az, az), (kk, kk, kk))


NOM, GEN, LOC = 0, 1, 2

COUNTRIES = {
    "AZ": Name(
        "Azerbaijan",
        ("Азербайджан", "Азербайджана", "Азербайджане"),
        ("Azərbaycan", "Azərbaycanın", "Azərbaycanda"),
        ("Әзірбайжан", "Әзірбайжанның", "Әзірбайжанда"),
    ),
    "KZ": Name(
        "Kazakhstan",
        ("Казахстан", "Казахстана", "Казахстане"),
        ("Qazaxıstan", "Qazaxıstanın", "Qazaxıstanda"),
        ("Қазақстан", "Қазақстанның", "Қазақстанда"),
    ),
    "KG": Name(
        "Kyrgyzstan",
        ("Кыргызстан", "Кыргызстана", "Кыргызстане"),
        ("Qırğızıstan", "Qırğızıstanın", "Qırğızıstanda"),
        ("Қырғызстан", "Қырғызстанның", "Қырғызстанда"),
    ),
    "TJ": Name(
        "Tajikistan",
        ("Таджикистан", "Таджикистана", "Таджикистане"),
        ("Tacikistan", "Tacikistanın", "Tacikistanda"),
        ("Тәжікстан", "Тәжікстанның", "Тәжікстанда"),
    ),
    "UZ": Name(
        "Uzbekistan",
        ("Узбекистан", "Узбекистана", "Узбекистане"),
        ("Özbəkistan", "Özbəkistanın", "Özbəkistanda"),
        ("Өзбекстан", "Өзбекстанның", "Өзбекстанда"),
    ),
    "TM": Name(
        "Turkmenistan",
        ("Туркменистан", "Туркменистана", "Туркменистане"),
        ("Türkmənistan", "Türkmənistanın", "Türkmənistanda"),
        ("Түрікменстан", "Түрікменстанның", "Түрікменстанда"),
    ),
    "GE": Name(
        "Georgia",
        ("Грузия", "Грузии", "Грузии"),
        ("Gürcüstan", "Gürcüstanın", "Gürcüstanda"),
        ("Грузия", "Грузияның", "Грузияда"),
    ),
    "TR": Name(
        "Turkey",
        ("Турция", "Турции", "Турции"),
        ("Türkiyə", "Türkiyənin", "Türkiyədə"),
        ("Түркия", "Түркияның", "Түркияда"),
    ),
    "RU": Name(
        "Russia",
        ("Россия", "России", "России"),
        ("Rusiya", "Rusiyanın", "Rusiyada"),
        ("Ресей", "Ресейдің", "Ресейде"),
    ),
}

CITIES = {
    "KZ": [
        N("Aktau", "Актау", "Aktau", "Ақтау"),
        Name(
            "Astana",
            ("Астана", "Астаны", "Астане"),
            ("Astana", "Astananın", "Astanada"),
            ("Астана", "Астананың", "Астанада"),
        ),
        N("Almaty", "Алматы", "Almatı", "Алматы"),
    ],
    "AZ": [
        N("Baku", "Баку", "Bakı", "Баку"),
        Name(
            "Ganja",
            ("Гянджа", "Гянджи", "Гяндже"),
            ("Gəncə", "Gəncənin", "Gəncədə"),
            ("Гәнжә", "Гәнжәнің", "Гәнжәде"),
        ),
    ],
    "UZ": [
        Name(
            "Termez",
            ("Термез", "Термеза", "Термезе"),
            ("Termiz", "Termizin", "Termizdə"),
            ("Термез", "Термездің", "Термезде"),
        ),
        Name(
            "Tashkent",
            ("Ташкент", "Ташкента", "Ташкенте"),
            ("Daşkənd", "Daşkəndin", "Daşkənddə"),
            ("Ташкент", "Ташкенттің", "Ташкентте"),
        ),
    ],
    "KG": [
        Name(
            "Bishkek",
            ("Бишкек", "Бишкека", "Бишкеке"),
            ("Bişkek", "Bişkekin", "Bişkekdə"),
            ("Бішкек", "Бішкектің", "Бішкекте"),
        ),
        Name("Osh", ("Ош", "Оша", "Оше"), ("Oş", "Oşun", "Oşda"), ("Ош", "Оштың", "Ошта")),
    ],
    "TJ": [N("Dushanbe", "Душанбе", "Düşənbə", "Душанбе")],
    "TM": [N("Turkmenbashi", "Туркменбаши", "Türkmənbaşı", "Түрікменбашы")],
    "GE": [N("Tbilisi", "Тбилиси", "Tbilisi", "Тбилиси")],
}

SITES = {
    "KZ": [
        N("Oymasha", "Оймаша", "Oymaşa", "Оймаша"),
        N("Sary-Shagan", "Сары-Шаган", "Sarı-Şağan", "Сарышаған"),
        N("Kapshagay", "Капшагай", "Qapşağay", "Қапшағай"),
    ],
    "UZ": [N("Forish", "Фариш", "Fariş", "Фариш")],
    "AZ": [N("Garadagh", "Гарадаг", "Qaradağ", "Гарадаг")],
    "KG": [N("Edelweiss", "Эдельвейс", "Edelveys", "Эдельвейс")],
    "TJ": [N("Harbmaydon", "Харбмайдон", "Harbmeydan", "Харбмайдон")],
    "TM": [N("Gyzylarbat", "Гызыларбат", "Qızılarvat", "Гызыларбат")],
    "GE": [N("Vaziani", "Вазиани", "Vaziani", "Вазиани")],
}

# Exercise series: a name per language (the Kazakh name of the 2024 exercise is used by
# Russian and Kazakh outlets, the translation by English and Azerbaijani ones).
SERIES = {
    "unity": Name(
        "Unity",
        ("Бирлестик", "Бирлестик", "Бирлестик"),
        ("Birlik", "Birlik", "Birlik"),
        ("Бірлестік", "Бірлестік", "Бірлестік"),
    ),
    "shield": Name(
        "Caspian Shield",
        ("Каспийский щит", "Каспийский щит", "Каспийский щит"),
        ("Xəzər Qalxanı", "Xəzər Qalxanı", "Xəzər Qalxanı"),
        ("Каспий қалқаны", "Каспий қалқаны", "Каспий қалқаны"),
    ),
    "eagle": Name(
        "Steppe Eagle",
        ("Степной орел", "Степной орел", "Степной орел"),
        ("Çöl Qartalı", "Çöl Qartalı", "Çöl Qartalı"),
        ("Дала бүркіті", "Дала бүркіті", "Дала бүркіті"),
    ),
    "brotherhood": Name(
        "Mountain Brotherhood",
        ("Горное братство", "Горное братство", "Горное братство"),
        ("Dağ Qardaşlığı", "Dağ Qardaşlığı", "Dağ Qardaşlığı"),
        ("Тау бауырластығы", "Тау бауырластығы", "Тау бауырластығы"),
    ),
}

PEOPLE = {
    "KZ": [
        N("Daulet Amanbayev", "Даулет Аманбаев", "Daulet Amanbayev", "Дәулет Аманбаев"),
        N("Serik Zhunusov", "Серик Жунусов", "Serik Junusov", "Серік Жүнісов"),
    ],
    "AZ": [
        N("Elnur Gasimov", "Эльнур Гасымов", "Elnur Qasımov", "Елнұр Қасымов"),
        N("Tural Hajiyev", "Турал Гаджиев", "Tural Hacıyev", "Турал Хажиев"),
    ],
    "KG": [N("Bakyt Osmonov", "Бакыт Осмонов", "Baxıt Osmonov", "Бақыт Осмонов")],
    "TJ": [N("Rustam Nazarov", "Рустам Назаров", "Rüstəm Nazarov", "Рүстем Назаров")],
    "UZ": [N("Sherzod Yuldashev", "Шерзод Юлдашев", "Şerzod Yuldaşev", "Шерзод Юлдашев")],
    "TM": [N("Merdan Ovezov", "Мердан Овезов", "Merdan Övezov", "Мердан Өвезов")],
    "GE": [N("Levan Beridze", "Леван Беридзе", "Levan Beridze", "Леван Беридзе")],
    "TR": [N("Kemal Aydin", "Кемаль Айдын", "Kamal Aydın", "Кемал Айдын")],
    "RU": [N("Pavel Sorokin", "Павел Сорокин", "Pavel Sorokin", "Павел Сорокин")],
}

VILLAGES = [
    N("Kok-Tash", "Кок-Таш", "Kök-Taş", "Көктас"),
    N("Ak-Sai", "Ак-Сай", "Ak-Say", "Ақсай"),
    N("Dostuk", "Достук", "Dostuk", "Достық"),
    N("Tort-Kocho", "Торт-Кочо", "Tört-Koço", "Төрткөшө"),
    N("Jany-Jer", "Жаны-Жер", "Canı-Cer", "Жаңажер"),
    N("Kara-Bulak", "Кара-Булак", "Qara-Bulaq", "Қарабұлақ"),
    N("Samarkandek", "Самаркандек", "Səmərqəndək", "Самаркандек"),
    N("Chorku", "Чорку", "Çorku", "Чорку"),
]
PROVINCES = [
    N("Batken", "Баткен", "Batken", "Баткен"),
    N("Sughd", "Согд", "Soğd", "Соғды"),
    N("Isfara", "Исфара", "İsfara", "Исфара"),
]

WEAPONS = {
    "drones": N("attack drones", "ударных беспилотников", "zərbə dronu", "соққы дроны"),
    "armour": N("armoured vehicles", "бронемашин", "zirehli maşın", "брондалған көлік"),
    "boats": N("patrol boats", "патрульных катеров", "patrul kateri", "патрульдік катер"),
    "helicopters": N(
        "transport helicopters",
        "транспортных вертолетов",
        "nəqliyyat helikopteri",
        "көлік тікұшағы",
    ),
    "air defence": N(
        "air defence systems",
        "зенитных ракетных комплексов",
        "hava hücumundan müdafiə kompleksi",
        "әуе қорғанысы кешені",
    ),
}


@dataclass
class Event:
    """One real-world happening (its reports form one story)."""

    id: int
    kind: str
    day: datetime
    actors: tuple[str, ...]  # country codes; the first hosts or acts
    place: Name
    number: int
    second: int
    person: Name
    thing: Name | None = None
    series: str | None = None
    year: int | None = None
    thread: str = ""  # events on one matter (a series' editions) share it

    @property
    def host(self) -> str:
        return self.actors[0]


@dataclass
class Report:
    """One article: an outlet's own report, a follow-up, or a syndicated copy."""

    event: int
    thread: str
    outlet: str
    lang: str
    title: str
    text: str
    published: datetime
    copy_of: int | None = None  # index of the report it copies
    url: str = ""
    extra: dict[str, str] = field(default_factory=dict)


OUTLETS = {
    "en": ["Caspian Dispatch", "Steppe Observer", "Eurasia Wire", "Silk Road Monitor"],
    "ru": ["Вести Каспия", "Степной курьер", "Евразия-Инфо"],
    "az": ["Xəzər Xəbər", "Qafqaz Bülleteni", "Şərq Ekspres"],
    "kk": ["Дала Жаршысы", "Ақтау Ақпарат", "Орта Азия Хабары"],
}


def _list(names: list[str], lang: str) -> str:
    word = {"en": "and", "ru": "и", "az": "və", "kk": "және"}[lang]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" {word} " + names[-1]


def _countries(e: Event, lang: str, case: int = NOM) -> str:
    return _list([COUNTRIES[c](lang, case) for c in e.actors], lang)


def _fmt(n: int, lang: str) -> str:
    if n < 1000:
        return str(n)
    sep = {"en": ",", "ru": " ", "az": " ", "kk": " "}[lang]
    return f"{n:,}".replace(",", sep)


# -- templates: (title, body) per kind, language and variant -------------------------------


def exercise(e: Event, lang: str, v: int) -> tuple[str, str]:
    assert e.series and e.year
    ex = f"{SERIES[e.series](lang)}-{e.year}"
    host = COUNTRIES[e.host]
    n, m = _fmt(e.number, lang), _fmt(e.second, lang)
    site = e.place(lang)
    if lang == "en":
        if v == 0:
            return (
                f"{ex} joint exercise opens at {site} range",
                f"The joint military exercise {ex} opened on Monday at the {site} training "
                f"ground in {host('en')}, with troops from {_countries(e, 'en')} taking part. "
                f"About {n} servicemen and {m} pieces of equipment are involved, the defence "
                f"ministry of {host('en')} said. The drills will last five days and include live "
                "firing and a river crossing.",
            )
        return (
            f"Troops of {len(e.actors)} countries begin {ex} drills in {host('en')}",
            f"Military units of {_countries(e, 'en')} started the exercise {ex} at {site}, "
            f"officials in {host('en')} said. Some {n} soldiers and {m} vehicles will rehearse "
            "a joint operation against armed groups. Observers from the region were invited.",
        )
    if lang == "ru":
        if v == 0:
            return (
                f"На полигоне {site} начались совместные учения «{ex}»",
                f"На полигоне {site} в {host('ru', LOC)} стартовали совместные военные учения "
                f"«{ex}» с участием военнослужащих из {_countries(e, 'ru', GEN)}. Задействовано "
                f"около {n} военнослужащих и {m} единиц техники, сообщило министерство обороны "
                f"{host('ru', GEN)}. Учения продлятся пять дней.",
            )
        return (
            f"В {host('ru', LOC)} стартовали учения «{ex}»",
            f"Подразделения {_countries(e, 'ru', GEN)} приступили к учениям «{ex}» на полигоне "
            f"{site}. В них участвуют {n} военнослужащих и {m} единиц военной техники. "
            "Отрабатывается совместная операция против незаконных вооруженных формирований.",
        )
    if lang == "az":
        if v == 0:
            return (
                f"{site} poliqonunda «{ex}» birgə təlimi başlayıb",
                f"{host('az', GEN)} {site} poliqonunda {_countries(e, 'az')} hərbçilərinin "
                f"iştirakı ilə «{ex}» birgə hərbi təlimi başlayıb. Təlimə {n} hərbçi və {m} "
                "ədəd texnika cəlb olunub. Təlim beş gün davam edəcək.",
            )
        return (
            f"«{ex}» təlimi {host('az', LOC)} start götürüb",
            f"{_countries(e, 'az')} hərbi bölmələri {site} poliqonunda «{ex}» təliminə "
            f"başlayıb. Təlimdə {n} hərbçi və {m} hərbi texnika iştirak edir, qanunsuz "
            "silahlı birləşmələrə qarşı birgə əməliyyat məşq olunur.",
        )
    if v == 0:
        return (
            f"{site} полигонында «{ex}» бірлескен жаттығуы басталды",
            f"{host('kk', GEN)} {site} полигонында {_countries(e, 'kk')} әскерилерінің "
            f"қатысуымен «{ex}» бірлескен әскери жаттығуы басталды. Жаттығуға {n} әскери "
            f"қызметші және {m} техника тартылған. Жаттығу бес күнге созылады.",
        )
    return (
        f"{host('kk', LOC)} «{ex}» жаттығуы өтуде",
        f"{_countries(e, 'kk')} әскери бөлімдері {site} полигонында «{ex}» жаттығуын "
        f"бастады. Оған {n} әскери қызметші мен {m} әскери техника қатысады. Заңсыз "
        "қарулы топтарға қарсы бірлескен операция пысықталады.",
    )


def exercise_end(e: Event, lang: str, v: int) -> tuple[str, str]:
    assert e.series and e.year
    ex = f"{SERIES[e.series](lang)}-{e.year}"
    site = e.place(lang)
    person = e.person(lang)
    if lang == "en":
        return (
            f"{ex} exercise ends with live firing at {site}",
            f"The {ex} exercise ended on Friday with a live-fire phase at {site}. Defence "
            f"minister {person} said the troops of {_countries(e, 'en')} had shown a high "
            "level of coordination and that the next edition would be larger.",
        )
    if lang == "ru":
        return (
            f"Учения «{ex}» завершились боевыми стрельбами",
            f"На полигоне {site} завершились учения «{ex}». Министр обороны {person} "
            f"заявил, что военнослужащие {_countries(e, 'ru', GEN)} показали высокий уровень "
            "слаженности.",
        )
    if lang == "az":
        return (
            f"«{ex}» təlimi döyüş atışları ilə başa çatıb",
            f"{site} poliqonunda «{ex}» təlimi başa çatıb. Müdafiə naziri {person} "
            f"{_countries(e, 'az')} hərbçilərinin yüksək əlaqələndirmə nümayiş etdirdiyini "
            "bildirib.",
        )
    return (
        f"«{ex}» жаттығуы атыспен аяқталды",
        f"{site} полигонында «{ex}» жаттығуы аяқталды. Қорғаныс министрі {person} "
        f"{_countries(e, 'kk')} әскерилері жоғары үйлесімділік көрсеткенін айтты.",
    )


def clash(e: Event, lang: str, v: int) -> tuple[str, str]:
    a, b = COUNTRIES[e.actors[0]], COUNTRIES[e.actors[1]]
    village, province = e.place(lang), e.thing(lang) if e.thing else ""
    n = e.number
    if lang == "en":
        if v == 0:
            return (
                f"Border guards of {a('en')} and {b('en')} exchange fire near {village}",
                f"Border guards of {a('en')} and {b('en')} exchanged fire near the village of "
                f"{village} in {province} on Tuesday, the border service of {a('en')} said. "
                f"{n} servicemen were wounded. Both sides accused each other of opening fire "
                "first.",
            )
        return (
            f"{n} wounded in border shootout at {village}",
            f"A shootout between {a('en')} and {b('en')} border troops near {village}, in the "
            f"{province} area, left {n} servicemen wounded, officials said. Residents reported "
            "hearing gunfire for about an hour.",
        )
    if lang == "ru":
        if v == 0:
            return (
                f"На границе {a('ru', GEN)} и {b('ru', GEN)} произошла перестрелка "
                f"у села {village}",
                f"Пограничники {a('ru', GEN)} и {b('ru', GEN)} открыли огонь у села {village} "
                f"в районе {province}, сообщила пограничная служба {a('ru', GEN)}. Ранены {n} "
                "военнослужащих. Стороны обвиняют друг друга в провокации.",
            )
        return (
            f"В перестрелке у {village} ранены {n} пограничников",
            f"Перестрелка пограничников {a('ru', GEN)} и {b('ru', GEN)} у села {village} "
            f"({province}) закончилась ранением {n} военнослужащих. Жители слышали стрельбу "
            "около часа.",
        )
    if lang == "az":
        return (
            f"{a('az')} və {b('az')} sərhədçiləri arasında atışma olub",
            f"{a('az')} və {b('az')} sərhədçiləri {province} bölgəsindəki {village} kəndi "
            f"yaxınlığında atışmaya çıxıb. {n} hərbçi yaralanıb. Tərəflər bir-birini "
            "təxribatda ittiham edir.",
        )
    return (
        f"{a('kk')} мен {b('kk')} шекарасында атыс болды",
        f"{a('kk')} және {b('kk')} шекарашылары {province} өңіріндегі {village} ауылы "
        f"маңында атысқан. {n} әскери қызметші жараланды. Тараптар бір-бірін арандатушылық "
        "жасады деп айыптап отыр.",
    )


def clash_followup(e: Event, lang: str, v: int) -> tuple[str, str]:
    a, b = COUNTRIES[e.actors[0]], COUNTRIES[e.actors[1]]
    village = e.place(lang)
    if lang == "en":
        return (
            f"{a('en')} and {b('en')} agree ceasefire after {village} clash",
            f"Commanders of the border services of {a('en')} and {b('en')} met near {village} "
            "and agreed to pull back reinforcements after the shootout, which wounded "
            f"{e.number} servicemen.",
        )
    if lang == "ru":
        return (
            f"{a('ru')} и {b('ru')} договорились о прекращении огня после инцидента у {village}",
            f"Руководители пограничных служб {a('ru', GEN)} и {b('ru', GEN)} встретились у села "
            f"{village} и договорились отвести дополнительные силы. В перестрелке были ранены "
            f"{e.number} военнослужащих.",
        )
    if lang == "az":
        return (
            f"{a('az')} və {b('az')} {village} insidentindən sonra atəşkəs razılaşdırıb",
            f"{a('az')} və {b('az')} sərhəd xidmətlərinin rəhbərləri {village} yaxınlığında "
            f"görüşərək əlavə qüvvələri geri çəkməyə razılaşıb. Atışmada {e.number} hərbçi "
            "yaralanmışdı.",
        )
    return (
        f"{a('kk')} мен {b('kk')} {village} оқиғасынан кейін атысты тоқтатуға келісті",
        f"{a('kk')} және {b('kk')} шекара қызметтерінің басшылары {village} маңында кездесіп, "
        f"қосымша күштерді кері тартуға келісті. Атыста {e.number} әскери жараланған.",
    )


def delivery(e: Event, lang: str, v: int) -> tuple[str, str]:
    buyer, seller = COUNTRIES[e.actors[0]], COUNTRIES[e.actors[1]]
    assert e.thing is not None
    thing, city, person = e.thing(lang), e.place(lang), e.person(lang)
    n = e.number
    if lang == "en":
        if v == 0:
            return (
                f"{buyer('en')} receives {n} {thing} from {seller('en')}",
                f"{buyer('en')}'s armed forces took delivery of {n} {thing} made in "
                f"{seller('en')} at a ceremony in {city}, defence minister {person} said. "
                f"The contract, signed last year, is worth {e.second} million dollars.",
            )
        return (
            f"{seller('en')}-built {thing} handed over to {buyer('en')}",
            f"A batch of {n} {thing} built in {seller('en')} was handed over to the military "
            f"of {buyer('en')} in {city}. Minister {person} called the deal, worth "
            f"{e.second} million dollars, a step in modernising the army.",
        )
    if lang == "ru":
        if v == 0:
            return (
                f"{buyer('ru')} получил {n} {thing} из {seller('ru', GEN)}",
                f"Вооруженные силы {buyer('ru', GEN)} получили {n} {thing} производства "
                f"{seller('ru', GEN)}. Церемония прошла в {city}, сообщил министр обороны "
                f"{person}. Стоимость контракта составляет {e.second} миллионов долларов.",
            )
        return (
            f"В {city} армии {buyer('ru', GEN)} передали {n} {thing}",
            f"Партия из {n} {thing}, произведенных в {seller('ru', LOC)}, передана армии "
            f"{buyer('ru', GEN)}. Министр {person} назвал сделку стоимостью {e.second} "
            "миллионов долларов шагом к модернизации армии.",
        )
    if lang == "az":
        return (
            f"{buyer('az')} {seller('az', GEN)} istehsalı olan {n} {thing} alıb",
            f"{buyer('az', GEN)} silahlı qüvvələri {seller('az', GEN)} istehsalı olan {n} "
            f"{thing} təhvil alıb. Mərasim {city} şəhərində keçirilib, müdafiə naziri "
            f"{person} bildirib. Müqavilənin dəyəri {e.second} milyon dollardır.",
        )
    return (
        f"{buyer('kk')} {seller('kk', GEN)} {n} {thing} алды",
        f"{buyer('kk', GEN)} қарулы күштері {seller('kk', GEN)} өндірісі болып табылатын "
        f"{n} {thing} алды. Салтанатты рәсім {city} қаласында өтті, деп хабарлады қорғаныс "
        f"министрі {person}. Келісімшарт құны {e.second} миллион доллар.",
    )


def visit(e: Event, lang: str, v: int) -> tuple[str, str]:
    guest, host = COUNTRIES[e.actors[0]], COUNTRIES[e.actors[1]]
    person, city = e.person(lang), e.place(lang)
    year = e.year or 2025
    if lang == "en":
        if v == 0:
            return (
                f"{guest('en')}'s defence minister visits {host('en')}",
                f"Defence minister {person} of {guest('en')} arrived in {city} for talks with "
                f"his counterpart from {host('en')}. The two signed a plan of military "
                f"cooperation for {year} with {e.number} joint events.",
            )
        return (
            f"{guest('en')} and {host('en')} sign military cooperation plan in {city}",
            f"{guest('en')} and {host('en')} signed a military cooperation plan for {year} "
            f"during a visit by minister {person} to {city}. It lists {e.number} joint events, "
            "including officer training.",
        )
    if lang == "ru":
        return (
            f"Министр обороны {guest('ru', GEN)} {person} прибыл в {city}",
            f"Министр обороны {guest('ru', GEN)} {person} провел переговоры в {city} с "
            f"коллегой из {host('ru', GEN)}. Стороны подписали план военного сотрудничества "
            f"на {year} год, включающий {e.number} совместных мероприятий.",
        )
    if lang == "az":
        return (
            f"{guest('az', GEN)} müdafiə naziri {person} {city} şəhərində səfərdədir",
            f"{guest('az', GEN)} müdafiə naziri {person} {city} şəhərində {host('az', GEN)} "
            f"həmkarı ilə danışıqlar aparıb. Tərəflər {year}-ci il üçün {e.number} birgə "
            "tədbiri əhatə edən hərbi əməkdaşlıq planı imzalayıb.",
        )
    return (
        f"{guest('kk', GEN)} қорғаныс министрі {person} {city} қаласына келді",
        f"{guest('kk', GEN)} қорғаныс министрі {person} {city} қаласында {host('kk', GEN)} "
        f"әріптесімен келіссөз жүргізді. Тараптар {year} жылға арналған {e.number} бірлескен "
        "іс-шарадан тұратын әскери ынтымақтастық жоспарына қол қойды.",
    )


def blast(e: Event, lang: str, v: int) -> tuple[str, str]:
    country = COUNTRIES[e.host]
    town = e.place(lang)
    n, m = e.number, _fmt(e.second, lang)
    if lang == "en":
        if v == 0:
            return (
                f"Explosions at ammunition depot near {town}, {n} injured",
                f"A fire at a military ammunition depot near {town} in {country('en')} set off "
                f"a series of explosions on Sunday, injuring {n} people. Authorities evacuated "
                f"{m} residents of nearby villages.",
            )
        return (
            f"{country('en')} evacuates {m} after depot blasts at {town}",
            f"About {m} people were moved from their homes after blasts at an army depot "
            f"outside {town}. The emergencies service said {n} people were hurt.",
        )
    if lang == "ru":
        return (
            f"Взрывы на складе боеприпасов под {town}: пострадали {n} человек",
            f"На военном складе боеприпасов под {town} в {country('ru', LOC)} произошел пожар "
            f"и серия взрывов, пострадали {n} человек. Из окрестных сел эвакуированы {m} "
            "жителей.",
        )
    if lang == "az":
        return (
            f"{town} yaxınlığında sursat anbarında partlayış: {n} yaralı",
            f"{country('az', GEN)} {town} şəhəri yaxınlığındakı hərbi sursat anbarında yanğın "
            f"və partlayışlar baş verib, {n} nəfər xəsarət alıb. Ətraf kəndlərdən {m} sakin "
            "təxliyə edilib.",
        )
    return (
        f"{town} маңындағы оқ-дәрі қоймасында жарылыс: {n} адам зардап шекті",
        f"{country('kk', GEN)} {town} маңындағы әскери оқ-дәрі қоймасында өрт шығып, "
        f"жарылыстар болды, {n} адам зардап шекті. Маңайдағы ауылдардан {m} тұрғын "
        "эвакуацияланды.",
    )


TEMPLATES = {
    "exercise": exercise,
    "clash": clash,
    "delivery": delivery,
    "visit": visit,
    "blast": blast,
}
FOLLOW_UPS = {"exercise": exercise_end, "clash": clash_followup}


# -- what makes each report its own: further sentences, chosen and ordered per report --------


def extras(e: Event, lang: str) -> list[str]:
    """Sentences an outlet may add to a report of this event (two or three are chosen)."""
    a = COUNTRIES[e.actors[0]]
    b = COUNTRIES[e.actors[1]] if len(e.actors) > 1 else a
    person, place = e.person(lang), e.place(lang)
    kind = {
        "en": {
            "exercise": [
                f"Commanders rehearsed the joint headquarters' work before the drills at {place}.",
                f"Minister {person} is expected to watch the final phase.",
                "Engineers built a pontoon bridge for the crossing overnight.",
                f"Aviation units from {a('en')} will provide air cover.",
            ],
            "clash": [
                "Local authorities closed the road to the border crossing.",
                f"The foreign ministry of {b('en')} summoned the ambassador of {a('en')}.",
                "Schools in nearby villages were closed for the day.",
                "The wounded were taken to the district hospital.",
            ],
            "delivery": [
                "The first crews were trained abroad last autumn.",
                f"{person} said more deliveries would follow next year.",
                "The vehicles will be based with a brigade in the south.",
                f"Officials from {b('en')} attended the handover.",
            ],
            "visit": [
                f"{person} also laid a wreath at a memorial in {place}.",
                "The ministers discussed officer exchanges and military education.",
                "A joint working group on defence industry will meet in the autumn.",
                f"The delegation from {a('en')} will visit a military academy.",
            ],
            "blast": [
                "Firefighters were still working at the site in the evening.",
                "A commission was set up to find the cause of the fire.",
                "Windows were shattered in houses several kilometres away.",
                f"The defence ministry of {a('en')} said the fire was under control.",
            ],
        },
        "ru": {
            "exercise": [
                f"Перед учениями на полигоне {place} прошла штабная тренировка.",
                f"Ожидается, что за заключительным этапом будет наблюдать министр {person}.",
                "Саперы за ночь навели понтонную переправу.",
                f"Прикрытие с воздуха обеспечит авиация {a('ru', GEN)}.",
            ],
            "clash": [
                "Местные власти перекрыли дорогу к пункту пропуска.",
                f"МИД {b('ru', GEN)} вызвал посла {a('ru', GEN)}.",
                "В соседних селах на день закрыли школы.",
                "Раненых доставили в районную больницу.",
            ],
            "delivery": [
                "Первые экипажи прошли подготовку за рубежом прошлой осенью.",
                f"{person} заявил, что поставки продолжатся в следующем году.",
                "Техника поступит в бригаду, дислоцированную на юге страны.",
                f"На церемонии присутствовали представители {b('ru', GEN)}.",
            ],
            "visit": [
                f"{person} также возложил венок к мемориалу в {place}.",
                "Министры обсудили обмен офицерами и военное образование.",
                "Совместная рабочая группа по оборонной промышленности соберется осенью.",
                f"Делегация {a('ru', GEN)} посетит военную академию.",
            ],
            "blast": [
                "Пожарные продолжали работать на месте до вечера.",
                "Создана комиссия для выяснения причин пожара.",
                "В домах за несколько километров выбиты стекла.",
                f"Министерство обороны {a('ru', GEN)} сообщило, что пожар локализован.",
            ],
        },
        "az": {
            "exercise": [
                f"Təlimdən əvvəl {place} poliqonunda qərargah məşqi keçirilib.",
                f"Yekun mərhələni müdafiə naziri {person} izləyəcək.",
                "İstehkamçılar gecə ərzində ponton körpüsü qurublar.",
                f"Havadan dəstəyi {a('az', GEN)} aviasiyası təmin edəcək.",
            ],
            "clash": [
                "Yerli hakimiyyət sərhəd keçid məntəqəsinə gedən yolu bağlayıb.",
                f"{b('az', GEN)} XİN-i {a('az', GEN)} səfirini çağırıb.",
                "Yaxın kəndlərdə məktəblər bir günlük bağlanıb.",
                "Yaralılar rayon xəstəxanasına aparılıb.",
            ],
            "delivery": [
                "İlk heyətlər keçən payız xaricdə təlim keçib.",
                f"{person} tədarükün gələn il davam edəcəyini deyib.",
                "Texnika ölkənin cənubunda yerləşən briqadaya veriləcək.",
                f"Mərasimdə {b('az', GEN)} nümayəndələri iştirak edib.",
            ],
            "visit": [
                f"{person} həmçinin {place} şəhərində abidəni ziyarət edib.",
                "Nazirlər zabit mübadiləsini və hərbi təhsili müzakirə ediblər.",
                "Müdafiə sənayesi üzrə birgə işçi qrupu payızda toplanacaq.",
                f"{a('az', GEN)} nümayəndə heyəti hərbi akademiyaya baş çəkəcək.",
            ],
            "blast": [
                "Yanğınsöndürənlər axşama qədər hadisə yerində işləyib.",
                "Yanğının səbəbini araşdırmaq üçün komissiya yaradılıb.",
                "Bir neçə kilometr aralıdakı evlərin şüşələri sınıb.",
                f"{a('az', GEN)} Müdafiə Nazirliyi yanğının lokallaşdırıldığını bildirib.",
            ],
        },
        "kk": {
            "exercise": [
                f"Жаттығу алдында {place} полигонында штаб жаттығуы өтті.",
                f"Қорытынды кезеңді қорғаныс министрі {person} бақылайды деп күтілуде.",
                "Сапёрлар түнде понтон көпірін салды.",
                f"Әуеден қорғауды {a('kk', GEN)} авиациясы қамтамасыз етеді.",
            ],
            "clash": [
                "Жергілікті билік өткізу бекетіне баратын жолды жапты.",
                f"{b('kk', GEN)} СІМ {a('kk', GEN)} елшісін шақыртты.",
                "Маңайдағы ауылдарда мектептер бір күнге жабылды.",
                "Жаралылар аудандық ауруханаға жеткізілді.",
            ],
            "delivery": [
                "Алғашқы экипаждар өткен күзде шетелде дайындықтан өтті.",
                f"{person} жеткізілім келесі жылы жалғасатынын айтты.",
                "Техника елдің оңтүстігіндегі бригадаға беріледі.",
                f"Рәсімге {b('kk', GEN)} өкілдері қатысты.",
            ],
            "visit": [
                f"{person} сондай-ақ {place} қаласындағы ескерткішке гүл шоқтарын қойды.",
                "Министрлер офицерлер алмасуы мен әскери білімді талқылады.",
                "Қорғаныс өнеркәсібі жөніндегі бірлескен жұмыс тобы күзде жиналады.",
                f"{a('kk', GEN)} делегациясы әскери академияға барады.",
            ],
            "blast": [
                "Өрт сөндірушілер кешке дейін оқиға орнында жұмыс істеді.",
                "Өрттің себебін анықтау үшін комиссия құрылды.",
                "Бірнеше шақырым жердегі үйлердің терезелері сынды.",
                f"{a('kk', GEN)} Қорғаныс министрлігі өрт ошағы оқшауланғанын хабарлады.",
            ],
        },
    }[lang][e.kind]
    return kind


GENERIC = {
    "en": [
        "The ministry published photographs on its website.",
        "The statement did not give further details.",
        "Analysts said the region had seen more such events this year.",
        "Reporters were not allowed to approach the area.",
        "It was not possible to verify the figures independently.",
        "More details are expected later in the day.",
    ],
    "ru": [
        "Министерство опубликовало фотографии на своем сайте.",
        "Других подробностей в сообщении не приводится.",
        "По словам аналитиков, в этом году таких событий в регионе стало больше.",
        "Журналистов к месту событий не допустили.",
        "Независимо проверить эти данные не удалось.",
        "Подробности ожидаются позже.",
    ],
    "az": [
        "Nazirlik fotoşəkilləri öz saytında yerləşdirib.",
        "Məlumatda başqa təfərrüat verilmir.",
        "Analitiklərin sözlərinə görə, bu il regionda belə hadisələr artıb.",
        "Jurnalistlər ərazidə buraxılmayıb.",
        "Rəqəmləri müstəqil yoxlamaq mümkün olmayıb.",
        "Ətraflı məlumat daha sonra veriləcək.",
    ],
    "kk": [
        "Министрлік фотосуреттерді өз сайтында жариялады.",
        "Хабарламада басқа мәлімет келтірілмеген.",
        "Сарапшылардың айтуынша, биыл өңірде мұндай оқиғалар көбейген.",
        "Журналистер оқиға орнына жіберілмеді.",
        "Деректерді тәуелсіз тексеру мүмкін болмады.",
        "Толығырақ мәлімет кейінірек беріледі.",
    ],
}


def own_words(e: Event, lang: str, title: str, lead: str, rng: random.Random) -> tuple[str, str]:
    """A report: the template's title and lead, then sentences of its own, in its own order."""
    chosen = rng.sample(extras(e, lang), rng.randint(1, 3)) + rng.sample(GENERIC[lang], 2)
    rng.shuffle(chosen)
    return title, " ".join([lead, *chosen])


REGION = ("AZ", "KZ", "KG", "TJ", "UZ", "TM", "GE")
# Each exercise series is held once a year, in its month.
SERIES_MONTH = {"unity": 7, "shield": 9, "eagle": 6, "brotherhood": 10}


def exercise_event(rng: random.Random, number: int, series: str, year: int) -> Event:
    day = datetime(year, SERIES_MONTH[series], 1, 7, tzinfo=UTC) + timedelta(
        days=rng.uniform(0, 25)
    )
    host = rng.choice([c for c in REGION if c in SITES])
    actors = (host, *rng.sample([c for c in REGION if c != host], rng.randint(1, 3)))
    return Event(
        number,
        "exercise",
        day,
        actors,
        rng.choice(SITES[host]),
        rng.randrange(800, 4000, 50),
        rng.randint(60, 400),
        rng.choice(PEOPLE[host]),
        series=series,
        year=year,
        thread=f"series-{series}",
    )


def clash_event(rng: random.Random, number: int, day: datetime, like: Event | None = None) -> Event:
    """A border incident; `like`: another one on the same border, in the same province."""
    if like is not None:
        pair, province = like.actors, like.thing
        village = rng.choice([v for v in VILLAGES if v is not like.place])
    else:
        pair = rng.choice([("KG", "TJ"), ("TJ", "KG"), ("KG", "UZ")])
        province, village = rng.choice(PROVINCES), rng.choice(VILLAGES)
    return Event(
        number,
        "clash",
        day,
        pair,
        village,
        rng.randint(2, 14),
        0,
        rng.choice(PEOPLE[pair[0]]),
        thing=province,
    )


def delivery_event(
    rng: random.Random, number: int, day: datetime, like: Event | None = None
) -> Event:
    """An arms delivery; `like`: the same weapon to another buyer."""
    if like is not None:
        thing = like.thing
        buyer = rng.choice([c for c in ("AZ", "KZ", "UZ", "KG") if c != like.host])
    else:
        thing = rng.choice(list(WEAPONS.values()))
        buyer = rng.choice(REGION)
    seller = rng.choice([c for c in ("TR", "RU", "KZ", "AZ", "GE") if c != buyer])
    return Event(
        number,
        "delivery",
        day,
        (buyer, seller),
        rng.choice(CITIES[buyer]),
        rng.randint(4, 60),
        rng.randint(20, 900),
        rng.choice(PEOPLE[buyer]),
        thing=thing,
    )


def visit_event(rng: random.Random, number: int, day: datetime) -> Event:
    guest, host = rng.sample(REGION, 2)
    return Event(
        number,
        "visit",
        day,
        (guest, host),
        rng.choice(CITIES[host]),
        rng.randint(12, 90),
        0,
        rng.choice(PEOPLE[guest]),
        year=day.year + (day.month > 10),
    )


def blast_event(rng: random.Random, number: int, day: datetime) -> Event:
    host = rng.choice(REGION)
    town = rng.choice(CITIES[host] + VILLAGES[:3])
    return Event(
        number,
        "blast",
        day,
        (host,),
        town,
        rng.randint(3, 40),
        rng.randrange(300, 6000, 100),
        rng.choice(PEOPLE[host]),
    )


def _random_event(rng: random.Random, number: int, kind: str, day: datetime) -> Event:
    if kind == "clash":
        return clash_event(rng, number, day)
    if kind == "delivery":
        return delivery_event(rng, number, day)
    if kind == "visit":
        return visit_event(rng, number, day)
    return blast_event(rng, number, day)


def _same_reading(one: Event, other: Event) -> bool:
    """Events of one kind, within two weeks, with the same actors and place (or weapon)."""
    if one.kind != other.kind or abs((one.day - other.day).days) > 14:
        return False
    if one.kind == "clash":
        return one.place is other.place
    if one.kind == "delivery":
        return one.host == other.host and one.thing is other.thing
    if one.kind == "visit":
        return set(one.actors) == set(other.actors)
    return one.place is other.place


def plan_events(
    seed: int, start: datetime, months: int, per_month: int, distinct: bool = True
) -> list[Event]:
    """Events over `months` months from `start`: each exercise series once a year (so the
    next year's edition is a sequel on the same thread), random incidents, deliveries,
    visits and blasts, and planted look-alikes: a second incident on the same border in the
    same week, the same weapon delivered to another buyer the same week. `distinct`: no two
    random events that would read alike (one village, one week) — off for a dense
    background, where only the cost is measured."""
    rng = random.Random(seed)
    events: list[Event] = []
    end = start + timedelta(days=30.4 * months)
    for year in range(start.year, end.year + 1):
        for series in SERIES:
            event = exercise_event(rng, len(events), series, year)
            if start <= event.day < end:
                events.append(event)
    for month in range(months):
        base = start + timedelta(days=30.4 * month)
        for _ in range(per_month):
            day = base + timedelta(days=rng.uniform(0, 30), hours=rng.uniform(6, 18))
            kind = rng.choice(["clash", "delivery", "visit", "blast"])
            made = _random_event(rng, len(events), kind, day)
            # Two independent events that would read the same (one village, one week) would
            # be one event in the world: drawn again.
            if distinct and any(_same_reading(made, other) for other in events[-400:]):
                continue
            events.append(made)
            roll = rng.random()
            if kind == "clash" and roll < 0.4:
                later = day + timedelta(days=rng.uniform(2, 5))
                events.append(clash_event(rng, len(events), later, like=made))
            elif kind == "delivery" and roll < 0.3:
                later = day + timedelta(days=rng.uniform(1, 4))
                events.append(delivery_event(rng, len(events), later, like=made))
    for event in events:
        event.thread = event.thread or f"event-{event.id}"
    return events


def _copy_text(text: str, outlet: str, rng: random.Random) -> str:
    """A syndicated copy: the outlet's header and credit line, two words glued together."""
    words = text.split(" ")
    glue = rng.randrange(3, max(4, len(words) - 3))
    words[glue : glue + 2] = [words[glue] + words[glue + 1]]
    return f"{outlet}. " + " ".join(words) + f" ({outlet}, reproduced with permission.)"


def reports_for(events: list[Event], seed: int) -> list[Report]:
    """Every event's reports: 2 to 6 outlets' own, in one to four languages, within two
    days; follow-ups 3 to 5 days later for exercises and clashes; copies of some."""
    rng = random.Random(seed)
    reports: list[Report] = []
    for event in events:
        count = rng.randint(2, 6)
        outlets = rng.sample([(lang, o) for lang in LANGS for o in OUTLETS[lang]], count)
        for lang, outlet in outlets:
            title, lead = TEMPLATES[event.kind](event, lang, rng.randint(0, 1))
            title, text = own_words(event, lang, title, lead, rng)
            when = event.day + timedelta(hours=rng.uniform(0, 40))
            reports.append(Report(event.id, event.thread, outlet, lang, title, text, when))
        if event.kind in FOLLOW_UPS and rng.random() < 0.6:
            for lang, outlet in rng.sample(outlets, min(len(outlets), rng.randint(1, 2))):
                title, lead = FOLLOW_UPS[event.kind](event, lang, 0)
                title, text = own_words(event, lang, title, lead, rng)
                when = event.day + timedelta(days=rng.uniform(3, 5))
                reports.append(Report(event.id, event.thread, outlet, lang, title, text, when))
    for index in range(len(reports)):
        if rng.random() < 0.12:
            original = reports[index]
            others = [o for o in OUTLETS[original.lang] if o != original.outlet]
            outlet = rng.choice(others)
            reports.append(
                Report(
                    original.event,
                    original.thread,
                    outlet,
                    original.lang,
                    original.title,
                    _copy_text(original.text, outlet, rng),
                    original.published + timedelta(hours=rng.uniform(2, 20)),
                    copy_of=index,
                )
            )
    for number, report in enumerate(reports):
        slug = f"{report.event}-{number}"
        report.url = f"https://{_host(report.outlet)}/news/{slug}"
    return reports


def _host(outlet: str) -> str:
    return f"o{zlib.crc32(outlet.encode()):08x}.test"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def arrival_order(reports: list[Report], seed: int) -> Iterator[Report]:
    """Reports in the order a crawl would store them: by publication plus a delay of up to
    half a day (so a copy or a foreign report may come before the first one)."""
    rng = random.Random(seed)
    delays = [r.published + timedelta(hours=rng.uniform(0, 12)) for r in reports]
    for _, report in sorted(zip(delays, range(len(reports)), strict=True)):
        yield reports[report]
