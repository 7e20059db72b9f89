"""Invented articles for the duplicate tests: one story as its outlet wrote it, as other
outlets republished it, as edited later, and as a rival outlet wrote its own (no text here
comes from elsewhere; copies of the seed are made from the shipped seed file at run time)."""

import re
from dataclasses import replace

from storage.seed import SEED_FACTS, read_seed_document, seed_body
from tests.outlets.articles import FixtureArticle

PATROL_BOATS = FixtureArticle(
    slug="coast-guard-patrol-boats",
    title="Coast guard takes delivery of two patrol boats for the Caspian",
    author="Nigar Rzayeva",
    date="2026-11-24T09:00:00Z",
    lang="en",
    paragraphs=(
        "The coast guard took delivery of two fast patrol boats at a shipyard ceremony on "
        "Monday, adding vessels that can reach the oil platforms far offshore in under an "
        "hour, the border service said in a statement.",
        "Each boat carries a crew of eleven, a stabilised heavy machine gun and a small radar "
        "able to follow several surface contacts at once, according to the shipyard, which "
        "built the hulls under licence over the past eighteen months.",
        "Officers said the boats would first patrol the approaches to the northern platforms, "
        "where fishing vessels without permits have been spotted repeatedly since the summer, "
        "before joining the exercises planned for the spring.",
        "A third boat of the same class is due to be launched in March, and the service has "
        "asked for funding to train two further crews at the naval school in the capital.",
        "Analysts noted that the purchase follows a decision last year to give the coast "
        "guard its own budget line, separate from the navy, after disputes over maintenance "
        "of older vessels that spent long periods in dock.",
    ),
)

# The same event as written by a rival outlet from the same statement: same names, same
# numbers, its own words. Not a copy.
PATROL_BOATS_RIVAL = FixtureArticle(
    slug="patrol-boats-rival",
    title="Two new patrol boats join the coast guard",
    author="Farid Guliyev",
    date="2026-11-24T11:30:00Z",
    lang="en",
    paragraphs=(
        "Two patrol boats built under licence at a local shipyard were handed over to the "
        "coast guard on Monday in a ceremony attended by senior border service officials.",
        "The vessels, with crews of eleven sailors, are armed with a heavy machine gun on a "
        "stabilised mount, and their radar can track several targets on the surface.",
        "According to the border service, the new boats will guard the oil platforms in the "
        "north of the Caspian, where unlicensed fishing boats have been a recurring concern.",
        "One more boat is to be launched in March. The service wants money to train two more "
        "crews, a spokesman told our correspondent.",
        "The coast guard has had its own budget since last year, when it was separated from "
        "the navy's accounts.",
    ),
)

# A later edit at the same address: one paragraph rewritten.
EDITED_PARAGRAPH = (
    "Officers said the boats would begin patrols next week on the approaches to the northern "
    "platforms, where eleven fishing vessels without permits were detained in November alone, "
    "and would join the exercises planned for the spring."
)


def patrol_boats_edited() -> FixtureArticle:
    paragraphs = list(PATROL_BOATS.paragraphs)
    paragraphs[2] = EDITED_PARAGRAPH
    return replace(PATROL_BOATS, paragraphs=tuple(paragraphs))


def glue_words(text: str, every: int = 60) -> str:
    """Glue a word to the next one roughly every `every` characters, as a copy made from a
    page with hard line breaks does ("werepart", "toestablish")."""
    out: list[str] = []
    since_glue = 0
    for word in text.split(" "):
        if out and since_glue >= every:
            out[-1] += word
            since_glue = 0
        else:
            out.append(word)
            since_glue += len(word) + 1
    return " ".join(out)


def syndicated(
    article: FixtureArticle, outlet: str, slug: str, credit: str, footer: str
) -> FixtureArticle:
    """How an aggregator republishes an article: its own credit line first, words glued
    where the source had line breaks, a sentence of the last paragraph left out, and its own
    boilerplate at the end."""
    paragraphs = [glue_words(p) for p in article.paragraphs]
    last = re.split(r"(?<=\.) ", paragraphs[-1])
    paragraphs[-1] = " ".join(last[:-1]) if len(last) > 1 else paragraphs[-1]
    return FixtureArticle(
        slug=slug,
        title=article.title,
        author=f"{outlet} staff",
        date=article.date[:11] + "15:20:00Z",  # hours after the original
        lang=article.lang,
        paragraphs=(credit, *paragraphs, footer),
    )


PATROL_BOATS_AGGREGATED = syndicated(
    PATROL_BOATS,
    outlet="Lankaran Wire",
    slug="lw-20261124-patrol",
    credit="BAKU, Nov 24 (Lankaran Wire, citing Shirvan Post). Republished with permission.",
    footer=(
        "Lankaran Wire republishes regional reporting under agreements with its partners. "
        "Follow us on Telegram for breaking news and subscribe to the morning briefing."
    ),
)


def seed_copy_text() -> str:
    """The seed article as another aggregator carries it: un-glued in places, a new credit
    line and a footer (made from the shipped seed, so no outside text is stored here)."""
    body = seed_body(read_seed_document(), SEED_FACTS.author)
    body = body.replace("werepart", "were part").replace("toestablish", "to establish")
    return (
        "Regional Digest | Source: AzerNews | April 9, 2024\n\n"
        + body
        + "\n\nThe views expressed are the author's own. Regional Digest aggregates news from "
        "partner agencies; write to the editors to report an error."
    )
