"""The country a digest lists a story under: its strongest place, else its language, measured
on the real development set against the country the labeller's English gloss names."""

import json
import re

import pytest

from config import ProfileConfig
from relevance import Profile, profile_for, score_article
from relevance.countries import country_of
from tests.conftest import shared_path

# How the labeller's glosses name each country (demonyms and capitals included).
GLOSSED = {
    "Azerbaijan": r"Azerbaijan|Azeri|Baku|Karabakh",
    "Armenia": r"Armenia|Yerevan",
    "Georgia": r"Georgia|Tbilisi|Abkhaz|Ossetia",
    "Kazakhstan": r"Kazakh|Astana|Almaty|Aktau",
    "Kyrgyzstan": r"Kyrgyz|Bishkek|Batken|Osh\b",
    "Tajikistan": r"Tajik|Dushanbe",
    "Turkmenistan": r"Turkmen|Ashgabat",
    "Uzbekistan": r"Uzbek|Tashkent",
}


@pytest.fixture(scope="module")
def profile() -> Profile:
    return profile_for(ProfileConfig())


def test_the_strongest_place_decides_then_the_language() -> None:
    assert country_of(["place:Aktau", "place:Baku", "seed:0.1"], "az") == "Kazakhstan"
    assert country_of(["actor:army", "seed:0.1"], "hy") == "Armenia"  # "the army", in Armenian
    assert country_of(["actor:army", "seed:0.1"], "ru") is None  # Russian: any country
    assert country_of(["place:Caspian", "actor:navy"], "az") is None  # named, region-wide
    assert country_of(["actor:army", "seed:0.1", "place:Aktau"], "en") is None  # not scored


def test_real_relevant_items_are_listed_under_the_country_their_gloss_names(
    profile: Profile,
) -> None:
    """Relevant real items whose gloss names exactly one country of the region: at least
    at least 95 in 100 get that country (measured: 82 of 85; 78 by places alone)."""
    path = shared_path("corpus", "relevance", "real-dev.jsonl")
    items = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    checked = agreed = 0
    for item in items:
        named = [name for name, pattern in GLOSSED.items() if re.search(pattern, item["gloss"])]
        if item["label"] != "relevant" or len(named) != 1:
            continue
        scored = score_article(profile, item["title"], item["description"], item["lang"])
        checked += 1
        agreed += country_of(scored.matched, item["lang"]) == named[0]
    assert checked >= 80
    assert agreed / checked >= 0.95, (agreed, checked)
