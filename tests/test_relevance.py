"""The relevance core: normalisation, matching rules, seed similarity, the labelled sets."""

import json
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import ProfileConfig
from relevance import (
    Profile,
    ProfileError,
    build_profile,
    explain,
    load_profile,
    score_article,
)
from relevance.profile import read_shipped_profile
from relevance.text import (
    casefold,
    fold,
    is_ablative,
    regional_language,
    tokenize,
    word_keys,
)
from storage.cleantext import html_to_text
from storage.seed import SEED_FACTS, read_seed_document, seed_body

SETS = Path(__file__).parent / "relevance"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seed() -> str:
    return seed_body(read_seed_document(), SEED_FACTS.author)


@pytest.fixture(scope="module")
def profile(seed: str) -> Profile:
    return load_profile(ProfileConfig(), seed)


def concepts(profile: Profile, title: str | None, text: str | None = None) -> set[str]:
    score = score_article(profile, title, text)
    return {reason for reason in score.matched if ":" in reason}


def read_set(name: str) -> list[dict]:
    lines = (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# --- normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Azərbaycan", "azerbaycan"),
        ("AZƏRBAYCAN", "azerbaycan"),
        ("Qarabağ", "qarabag"),
        ("Şuşa", "susa"),
        ("Özbekistan", "ozbekistan"),
        ("Türkmenistan", "turkmenistan"),
        ("Kırgızistan", "kirgizistan"),
        ("İSRAİL", "israil"),  # Turkish dotted capital I: no stray combining dot
        ("Қазақстан", "казакстан"),  # қ, ғ-free, а
        ("Маңғыстау", "мангыстау"),  # ң, ғ
        ("Түркі", "турки"),  # ү, і
        ("Ұлттық", "улттык"),  # ұ
        ("Өзбекстан", "озбекстан"),  # ө
        ("Һ", "х"),  # һ
        ("Әзірбайжан", "азирбайжан"),  # ә, і; й is kept for the Russian stemmer
        ("Ёлка", "елка"),
    ],
)
def test_fold_handles_case_diacritics_and_regional_letters(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_casefold_avoids_the_combining_dot_of_lowered_dotted_capital() -> None:
    assert "İ".lower() == "i\u0307"  # what Python does, and why casefold exists
    assert casefold("İSTANBUL") == "istanbul"


def test_turkish_dotted_capital_does_not_break_matching(profile: Profile) -> None:
    assert "foreign:Israel" in concepts(profile, "İSRAİL ORDUSU GAZZE'DE")
    assert "place:Kyrgyzstan" in concepts(profile, "KIRGIZİSTAN ORDUSU TATBİKAT YAPTI")


@pytest.mark.parametrize("spelling", ["Karabakh", "Garabagh", "Qarabağ", "Karabağ", "Карабах"])
def test_transliteration_variants_share_one_place(profile: Profile, spelling: str) -> None:
    assert "place:Karabakh" in concepts(profile, f"Shelling reported in {spelling} overnight")


def test_transliterations_of_one_name_get_one_name_key() -> None:
    keys = {word_keys(w).name for w in ("Karabakh", "Garabagh", "Qarabağ", "Карабах", "Қарабақ")}
    assert len(keys) == 1
    # …while unrelated words keep distinct keys
    assert word_keys("Kazakh").name != word_keys("Karabakh").name


@pytest.mark.parametrize(
    "spelling", ["Kazakhstan", "Qazaqstan", "Qazaxıstanda", "Казахстана", "Қазақстанның"]
)
def test_kazakhstan_in_every_script_and_with_case_endings(profile: Profile, spelling: str) -> None:
    assert "place:Kazakhstan" in concepts(profile, spelling)


def test_uzbek_latin_apostrophe_letters_stay_inside_the_word() -> None:
    assert tokenize("O‘zbekiston Qurolli Kuchlari") == ["Ozbekiston", "Qurolli", "Kuchlari"]
    assert tokenize("Kazakistan'da tatbikat") == ["Kazakistan", "da", "tatbikat"]


# --- stemming -------------------------------------------------------------------------------


def test_russian_endings_reduce_to_one_stem() -> None:
    stems = {word_keys(w).ru for w in ("учения", "учений", "учениях", "учениями")}
    assert len(stems) == 1


@pytest.mark.parametrize(
    "sentence",
    ["Начались учения в Казахстане", "В ходе учений в Казахстане", "На учениях в Казахстане"],
)
def test_inflected_russian_exercise_word_matches(profile: Profile, sentence: str) -> None:
    assert "exercise-word:exercise" in concepts(profile, sentence)


def test_stop_list_keeps_scientists_apart_from_exercises(profile: Profile) -> None:
    found = concepts(profile, "Учёные Казахстана открыли новый минерал")
    assert "exercise-word:exercise" not in found
    assert not any(concept.startswith("stop:") for concept in found)  # stop terms stay silent
    assert not score_article(profile, "Учёные Казахстана открыли новый минерал", None).relevant


def test_turkish_suffixes_are_stemmed(profile: Profile) -> None:
    assert "exercise-word:exercise" in concepts(profile, "Tatbikatında Kazakistan askerleri")


# --- the analyst's rules --------------------------------------------------------------------


def test_place_and_defense_are_both_required(profile: Profile) -> None:
    place_only = score_article(profile, "Kazakhstan and Uzbekistan sign wheat export deal", None)
    defense_only = score_article(profile, "Army holds large drills with new tanks", None)
    both = score_article(profile, "Kazakhstan's army holds large drills with new tanks", None)
    assert not place_only.relevant and "rule:no-defense-term" in place_only.matched
    assert not defense_only.relevant and "rule:no-regional-actor" in defense_only.matched
    assert both.relevant


def test_many_country_mentions_alone_score_nothing(profile: Profile) -> None:
    text = " ".join(["Kazakhstan's economy grew as Kazakhstan exported more oil."] * 20)
    score = score_article(profile, "Kazakhstan economy in Kazakhstan", text)
    # The learned model gives a probability, never exactly 0 (the hand rule multiplied by 0).
    assert score.relevance < 0.05 and not score.relevant


def test_foreign_war_with_the_region_in_passing_is_not_relevant(profile: Profile) -> None:
    score = score_article(
        profile,
        "Russian drones and missiles hit Kharkiv; Ukraine's air defence shoots down dozens",
        "Ukrainian troops held the line near Kharkiv and Donetsk. Kazakhstan called for talks.",
    )
    assert not score.relevant
    assert any(reason.startswith("rule:foreign-theatre") for reason in score.matched)


def test_regional_buyer_of_foreign_arms_stays_relevant(profile: Profile) -> None:
    score = score_article(profile, "Azerbaijan buys Israeli air defence radars", None)
    assert score.relevant


def test_sport_vocabulary_damps_defense_words(profile: Profile) -> None:
    score = score_article(
        profile,
        "Qarabag defence holds firm in Europa League match in Baku",
        "The Azerbaijani champions defended deep and attacked on the break.",
    )
    assert not score.relevant
    assert "rule:sport-context" in score.matched


def test_title_only_feed_items_are_scored(profile: Profile) -> None:
    assert score_article(profile, "Uzbek army receives new combat drones", None).relevant
    assert score_article(profile, None, "Kazakh navy holds drills in the Caspian Sea").relevant


def test_regional_language_names_its_own_country_implicitly(profile: Profile) -> None:
    # A Kazakh outlet writes "the Ministry of Defence" without naming Kazakhstan.
    title = "Қорғаныс министрлігі жаңа әуе қорғанысы кешендерін сатып алды"
    assert regional_language(title, None)
    assert not regional_language("Министерство обороны закупило новые комплексы", "ru")
    assert score_article(profile, title, None, "kk").relevant


def test_empty_article_scores_zero(profile: Profile) -> None:
    score = score_article(profile, None, None)
    assert score.relevance == 0.0 and not score.relevant


def test_scoring_is_pure(profile: Profile) -> None:
    first = score_article(profile, "Kazakh army drills near Aktau", "Troops and tanks.", "en")
    second = score_article(profile, "Kazakh army drills near Aktau", "Troops and tanks.", "en")
    assert first == second
    assert 0.0 <= first.relevance <= 1.0


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        ("Kazakh army drills near Aktau", "Troops and tanks moved to the Caspian coast.", "en"),
        ("Азербайджан закупил зенитные комплексы", "Министерство обороны сообщило.", "ru"),
        ("Football final in Baku", "The home side attacked and shot twice.", "en"),
        ("Weather in Tbilisi", None, "en"),
    ],
)
def test_a_score_for_storing_is_the_explained_one_without_its_breakdown(
    profile: Profile, title: str, text: str | None, lang: str
) -> None:
    explained = score_article(profile, title, text, lang)
    stored = score_article(profile, title, text, lang, explained=False)
    assert (stored.relevance, stored.relevant, stored.matched) == (
        explained.relevance,
        explained.relevant,
        explained.matched,
    )
    assert stored.breakdown == {} and explained.breakdown["ngrams"]["for"]


# --- civil emergencies (blind-evaluation category 1) ---------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        (
            "ТЖМ Шымкентте су тасқыны кезіндегі эвакуация жаттығуын өткізді",
            "Құтқарушылар тұрғындарды қайықпен шығаруды пысықтады.",
            "kk",
        ),
        (
            "МЧС Казахстана провело учения по эвакуации при землетрясении в Алматы",
            "Спасатели отработали поиск пострадавших.",
            "ru",
        ),
        (
            "Fövqəladə Hallar Nazirliyi Gəncədə zəlzələ təlimi keçirib",
            "Xilasedicilər təxliyə tapşırıqlarını yerinə yetiriblər.",
            "az",
        ),
        ("AFAD ile Kazakistan ortak arama kurtarma tatbikatı yaptı", None, "tr"),
        (
            "Favqulodda vaziyatlar vazirligi Samarqandda zilzila mashg‘ulotini o‘tkazdi",
            None,
            "uz",
        ),
        ("Kyrgyz emergencies ministry holds mudflow drill near Osh", None, "en"),
        ("Школьники Баку приняли участие в учениях по гражданской обороне", None, "ru"),
    ],
)
def test_civil_emergency_drills_are_not_defense(
    profile: Profile, title: str, text: str | None, lang: str
) -> None:
    score = score_article(profile, title, text, lang)
    assert not score.relevant
    assert "rule:civil-emergency" in score.matched


def test_civil_defence_phrase_is_not_the_defence_word(profile: Profile) -> None:
    found = concepts(profile, "Civil defence drill in Kazakhstan's schools")
    assert "civil:civil defence" in found and "defense:defence" not in found
    found = concepts(profile, "Учения по гражданской обороне в Казахстане")
    assert "civil:civil defence" in found and "defense:defence" not in found


def test_army_in_disaster_relief_is_not_defense_coverage(profile: Profile) -> None:
    # Decided and documented in profile.toml: troops sent to a flood with no weapons or
    # fighting named are disaster relief.
    score = score_article(
        profile,
        "Kazakh army sends troops and helicopters to flooded villages",
        "Soldiers help the emergencies ministry evacuate residents of Petropavlovsk.",
    )
    assert not score.relevant


@pytest.mark.parametrize(
    ("title", "text"),
    [
        (
            "Ammunition depot blast at Kazakh army base forces evacuation of nearby town",
            "Fire spread to a store of artillery shells; rescuers evacuated 20,000 people.",
        ),
        (
            "Azerbaijani villagers evacuated after Armenian shelling across the border",
            "Azerbaijan's defence ministry said its positions came under sniper and mortar fire.",
        ),
    ],
)
def test_weapons_and_fighting_outweigh_civil_words(profile: Profile, title: str, text: str) -> None:
    assert score_article(profile, title, text, "en").relevant


# --- foreign militaries in a regional language (category 2) --------------------------------


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        (
            "Ресейдің Тынық мұхит флоты Жапон теңізінде зымыран ату жаттығуын өткізді",
            None,
            "kk",
        ),
        ("Rusiyanın Şimal donanmasının sualtı qayıqları Barents dənizində təlim keçib", None, "az"),
        ("Qora dengizda Rossiya fregati Ukraina dronlari tomonidan hujumga uchradi", None, "uz"),
        ("АКШнын аскерлери Польшада НАТО машыгуусуна катышты", None, "ky"),
    ],
)
def test_foreign_forces_in_a_regional_language_are_not_regional(
    profile: Profile, title: str, text: str | None, lang: str
) -> None:
    score = score_article(profile, title, text, lang)
    assert not score.relevant


def test_regional_language_counts_only_in_part_for_the_main_actor(profile: Profile) -> None:
    score = score_article(profile, "Ресей армиясы жаңа танктер алды", None, "kk")
    share = profile.options["language_actor"]
    acting = score.breakdown["foreign"]["acting_region"]
    assert acting == pytest.approx(profile.options["language_region"] * share)
    assert not score.relevant


@pytest.mark.parametrize(
    ("title", "lang"),
    [
        ("Azərbaycan Ukraynaya humanitar yardım göndərib, Rusiya raketləri Xarkovu vurub", "az"),
        ("Казахстан отправил гуманитарную помощь Украине после ракетных ударов по Киеву", "ru"),
    ],
)
def test_humanitarian_aid_to_a_war_zone_is_not_defense(
    profile: Profile, title: str, lang: str
) -> None:
    assert not score_article(profile, title, None, lang).relevant


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        (
            "Қорғаныс министрлігі Ресейден жаңа тікұшақтар сатып алды",
            "Тікұшақтар әскери авиация бригадасына тапсырылды.",
            "kk",
        ),
        ("Müdafiə Nazirliyi Rusiyadan yeni zirehli maşınlar alıb", None, "az"),
        ("Министерство обороны Кыргызстана получило бронемашины из России", None, "ru"),
    ],
)
def test_a_foreign_supplier_named_as_a_source_is_not_the_actor(
    profile: Profile, title: str, text: str | None, lang: str
) -> None:
    score = score_article(profile, title, text, lang)
    assert score.relevant
    assert score.breakdown["foreign"]["acting_foreign"] == 0.0


def test_ablative_ending_is_not_read_into_stan_names() -> None:
    assert is_ablative("reseyden", "resey") and is_ablative("rusiyadan", "rusiya")
    assert not is_ablative("turkmenistan", "turkmen")
    assert not is_ablative("sudan", "sudan")  # the name itself, no ending beyond it


# --- the region cited by others (category 3) -----------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "lang"),
    [
        (
            "Estonian army builds drone companies on Karabakh lessons",
            "Estonia's defence forces will train reservists as drone pilots, officials said.",
            "en",
        ),
        # Written in Azerbaijani, with Karabakh, drones and war (a known miss until round 4's
        # model: it scored just above 0.5).
        (
            "Latviya ordusu Qarabağ müharibəsinin dərsləri əsasında dron bölmələri yaradır",
            None,
            "az",
        ),
        ("Литва создаёт роты беспилотников, изучив уроки Карабаха", None, "ru"),
    ],
)
def test_region_cited_as_a_lesson_is_not_the_actor(
    profile: Profile, title: str, text: str | None, lang: str
) -> None:
    score = score_article(profile, title, text, lang)
    assert not score.relevant
    assert "rule:cited-not-actor" in score.matched


def test_regional_actor_citing_a_foreign_war_stays_relevant(profile: Profile) -> None:
    score = score_article(
        profile,
        "Uzbek army draws lessons from the war in Ukraine",
        "Uzbekistan's defence ministry will set up drone units, studying Ukraine's experience.",
    )
    assert score.relevant
    assert "rule:cited-not-actor" in score.matched


# --- military vocabulary across languages (category 4) -------------------------------------


@pytest.mark.parametrize(
    ("phrase", "concept"),
    [
        # Turkish
        ("Deniz Kuvvetleri", "actor:navy"),
        ("Kara Kuvvetleri", "actor:ground forces"),
        ("Hava Kuvvetleri", "actor:air force"),
        ("Silahlı Kuvvetler", "actor:armed forces"),
        ("devriye botu", "weapon:patrol boats"),
        ("savunma sanayii", "defense:defence industry"),  # the phrase, since it is one
        ("askeri", "actor:military"),
        ("tatbikatı", "exercise-word:exercise"),
        ("fırkateyn", "weapon:warships"),
        ("füzeleri", "weapon:missiles"),
        # Azerbaijani
        ("Hərbi Dəniz Qüvvələri", "actor:military"),
        ("Quru Qoşunları", "actor:ground forces"),
        ("Hərbi Hava Qüvvələri", "actor:military"),
        ("Dövlət Sərhəd Xidməti", "actor:border guards"),
        ("patrul katerləri", "weapon:patrol boats"),
        ("əsgərlər", "actor:troops"),
        ("freqat", "weapon:warships"),
        # Kazakh
        ("Әскери-теңіз күштері", "actor:military"),
        ("Шекара қызметі", "actor:border guards"),
        ("Ұлттық ұлан", "actor:national guard"),
        ("ұшқышсыз ұшу аппараты", "weapon:drones"),
        ("брондалған көлік", "weapon:armour"),
        ("зымыран", "weapon:missiles"),
        ("патрульдік катер", "weapon:patrol boats"),
        # Uzbek
        ("Harbiy-dengiz kuchlari", "actor:military"),
        ("Quruqlikdagi qo‘shinlar", "actor:ground forces"),
        ("Chegara qo‘shinlari", "actor:border guards"),
        ("zirhli texnika", "weapon:armour"),
        ("Milliy gvardiya", "actor:national guard"),
        # Kyrgyz
        ("Аба күчтөрү", "actor:air force"),
        ("учкучсуз аппарат", "weapon:drones"),
        ("абадан коргонуу", "defense:defence"),
        # Tajik
        ("ҳавопаймои бесарнишин", "weapon:drones"),
        ("мошини зиреҳпӯш", "weapon:armour"),
        # Turkmen
        ("Ýaragly Güýçleri", "actor:armed forces"),
        ("harby tehnika", "actor:military"),
        # Russian
        ("Сухопутные войска", "actor:ground forces"),
        ("сторожевой катер", "weapon:patrol boats"),
        ("подводная лодка", "weapon:warships"),
        ("Национальная гвардия", "actor:national guard"),
    ],
)
def test_military_vocabulary_in_every_language(profile: Profile, phrase: str, concept: str) -> None:
    assert concept in concepts(profile, phrase)


def test_sea_alone_is_not_naval(profile: Profile) -> None:
    assert not score_article(profile, "Hazar Denizi'nde balıkçılık sezonu açıldı", None).relevant


# --- seed similarity ------------------------------------------------------------------------


def test_seed_scores_relevant_and_most_similar_to_itself(profile: Profile, seed: str) -> None:
    score = score_article(profile, SEED_FACTS.title, seed, "en")
    assert score.relevant
    assert score.breakdown["seed"]["similarity"] == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize(
    ("defense_story", "sport_story"),
    [
        (
            (
                "Азербайджан и Казахстан проведут совместные военные учения",
                "Армии стран Центральной Азии отработают боевые задачи на полигоне Оймаша.",
            ),
            (
                "Сборная Казахстана по футболу обыграла Азербайджан",
                "Матч в Астане завершился со счётом 2:1, болельщики праздновали победу.",
            ),
        ),
        (
            (
                "Қазақстан мен Әзірбайжан әскерилері бірлескен жаттығу өткізеді",
                "Орталық Азия елдерінің армиялары Оймаша полигонында жаттығады.",
            ),
            (
                "Қазақстан құрамасы футболдан Әзірбайжанды жеңді",
                "Астанадағы матчта жанкүйерлер жеңісті тойлады.",
            ),
        ),
    ],
)
def test_seed_similarity_crosses_languages(
    profile: Profile, defense_story: tuple[str, str], sport_story: tuple[str, str]
) -> None:
    defense = score_article(profile, *defense_story).breakdown["seed"]["similarity"]
    sport = score_article(profile, *sport_story).breakdown["seed"]["similarity"]
    assert defense > sport + 0.1


def test_reference_articles_are_compared_too(seed: str, tmp_path: Path) -> None:
    reference = tmp_path / "caspian.txt"
    reference.write_text("Caspian Flotilla corvettes fired missiles in the Caspian Sea.")
    config = replace(ProfileConfig(), references=(reference,))
    profile = load_profile(config, seed)
    score = score_article(profile, "Caspian Flotilla corvettes fire missiles", None)
    assert score.breakdown["seed"]["reference"] == "caspian.txt"


def test_missing_reference_file_is_reported(seed: str, tmp_path: Path) -> None:
    config = replace(ProfileConfig(), references=(tmp_path / "absent.txt",))
    with pytest.raises(ProfileError, match=r"absent\.txt"):
        load_profile(config, seed)


# --- threshold, explain ---------------------------------------------------------------------


def test_threshold_decides_relevant(seed: str) -> None:
    title, text = "Kyrgyz parliament passes law on the mobilisation reserve", None
    strict = load_profile(replace(ProfileConfig(), threshold=0.95), seed)
    loose = load_profile(replace(ProfileConfig(), threshold=0.2), seed)
    assert not score_article(strict, title, text).relevant
    assert score_article(loose, title, text).relevant
    exact = score_article(loose, title, text).relevance
    at_edge = load_profile(replace(ProfileConfig(), threshold=exact), seed)
    assert score_article(at_edge, title, text).relevant  # relevance >= threshold


def test_explain_names_terms_and_components(profile: Profile) -> None:
    score = score_article(
        profile,
        "Birlestik-2024: troops gather at Oymasha",
        "Armies of Kazakhstan and Azerbaijan will train near Aktau.",
    )
    text = explain(score)
    for expected in (
        "RELEVANT",
        "exercise:Birlestik",
        "site:Oymasha",
        "place:Aktau",
        "place:Kazakhstan",
        "actor:army",
        "seed similarity",
        "region",
        "defense",
    ):
        assert expected in text
    assert "exercise:Birlestik" in score.matched
    assert any(reason.startswith("seed:") for reason in score.matched)


def test_explain_says_why_not(profile: Profile) -> None:
    text = explain(score_article(profile, "Kazakhstan raises wheat export quota", None))
    assert "not relevant" in text and "rule:no-defense-term" in text


# --- the profile file -----------------------------------------------------------------------


def test_user_profile_extends_and_overrides(seed: str, tmp_path: Path) -> None:
    user = tmp_path / "profile.toml"
    user.write_text(
        "[scoring]\nseed_weight = 0.0\n"
        '[[groups]]\nname = "place"\n[groups.terms]\nGabala = ["Gabala*", "Qəbələ*"]\n'
        '[[groups]]\nname = "sport"\n[groups.terms]\nfootball = []\n',
        encoding="utf-8",
    )
    config = SimpleNamespace(threshold=0.5, references=(), file=user)
    profile = load_profile(config, seed)  # type: ignore[arg-type]
    assert profile.options["seed_weight"] == 0.0
    assert "place:Gabala" in concepts(profile, "Radar station near Qəbələ upgraded")
    assert "place:Baku" in concepts(profile, "Baku")  # shipped terms are kept
    assert "sport:football" not in concepts(profile, "football match")  # emptied term removed


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([{"name": "x", "region": 1.0, "terms": {"a": ["ab*"]}}], "shorter than"),
        ([{"name": "x", "colour": 1, "terms": {}}], "unknown keys"),
        ([{"name": "x", "terms": {"a": "not a list"}}], "list of strings"),
    ],
)
def test_bad_profile_entries_are_named(groups: list, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        build_profile({"groups": groups}, 0.5, [])


@pytest.mark.parametrize(
    "state", ["Azerbaijan", "Kazakhstan", "Kyrgyzstan", "Tajikistan", "Turkmenistan", "Uzbekistan"]
)
def test_shipped_profile_names_each_state_in_latin_and_cyrillic(state: str) -> None:
    place = next(g for g in read_shipped_profile()["groups"] if g["name"] == "place")
    variants = place["terms"][state]
    assert any(any("\u0400" <= c <= "\u04ff" for c in v) for v in variants)
    assert any(v[0].isascii() for v in variants)


# --- the labelled sets ----------------------------------------------------------------------


def f1(profile: Profile, rows: list[dict]) -> float:
    tp = fp = fn = 0
    for row in rows:
        guess = score_article(profile, row["title"], row["text"], row["lang"]).relevant
        tp += guess and row["relevant"]
        fp += guess and not row["relevant"]
        fn += row["relevant"] and not guess
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


@pytest.mark.parametrize("name", ["dev", "holdout", "hard", "categories"])
def test_labelled_set_f1_regression_guard(profile: Profile, name: str) -> None:
    assert f1(profile, read_set(name)) >= 0.95


def test_labelled_sets_are_as_the_issue_asks() -> None:
    rows = read_set("dev") + read_set("holdout") + read_set("hard")
    languages = {row["lang"] for row in rows}
    share = sum(row["relevant"] for row in rows) / len(rows)
    assert len(rows) >= 150
    assert {"en", "ru", "az", "kk", "uz"} <= languages
    assert 0.25 <= share <= 0.45
    assert len({row["id"] for row in rows}) == len(rows)


def test_a_summary_in_markup_scores_as_the_crawl_stores_it(profile: Profile) -> None:
    """The model reads a raw HTML summary as the crawl stores it (tags and link addresses
    gone, references decoded), so scoring either gives the same verdict and reasons."""
    raw = (
        '<p>The border guards of <a href="https://outlet.example/kazakhstan-army-drill">'
        "Kazakhstan</a> held a patrol drill on the Caspian coast&#8230;</p>"
        '<img src="https://outlet.example/armenia-missile.jpg"/>'
    )
    stored = html_to_text(raw)
    assert stored == "The border guards of Kazakhstan held a patrol drill on the Caspian coast…"
    as_raw = score_article(profile, "Patrol drill on the coast", raw, "en")
    as_stored = score_article(profile, "Patrol drill on the coast", stored, "en")
    assert (as_raw.relevance, as_raw.matched) == (as_stored.relevance, as_stored.matched)
    assert not any("missile" in reason for reason in as_raw.matched)
