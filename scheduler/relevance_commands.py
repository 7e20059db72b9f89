"""`newswatch rescore` and `newswatch explain`: the watch profile applied to stored articles."""

import click

from relevance import Profile, ProfileError, explain, profile_for, score_article
from scheduler.context import AppContext, ConfigProblem, echo

RESCORE_BATCH = 500


def _profile(app: AppContext) -> Profile:
    try:
        return profile_for(app.config.profile)
    except ProfileError as error:
        # A configuration problem, as the README's exit codes say: 2.
        raise ConfigProblem(f"relevance profile is not usable: {error}") from error


@click.command()
@click.pass_obj
def rescore(app: AppContext) -> None:
    """Score every stored article again with the current watch profile and threshold.

    Use it after changing [profile] (threshold, references, file) or upgrading newswatch.
    Prints how many articles became relevant and how many stopped being relevant.

    Example:

        newswatch rescore
    """
    profile = _profile(app)
    scored = gained = lost = 0
    with app.storage() as storage:
        after = 0
        while batch := storage.articles.for_scoring(after, RESCORE_BATCH):
            updates = []
            for row in batch:
                score = score_article(
                    profile, row["title"], row["text"], row["lang"], explained=False
                )
                updates.append((row["id"], score.relevance, score.relevant, score.matched))
                gained += score.relevant and not row["relevant"]
                lost += row["relevant"] and not score.relevant
            storage.articles.update_scores(updates)
            scored += len(batch)
            after = batch[-1]["id"]
    echo(f"rescored {scored} articles: {gained} became relevant, {lost} no longer relevant")


@click.command(name="explain")
@click.argument("article_id", type=int)
@click.pass_obj
def explain_article(app: AppContext, article_id: int) -> None:
    """Show why an article scores as it does: each term, group and rule, and the seed
    similarity, under the current profile.

    Example:

        newswatch explain 42
    """
    profile = _profile(app)
    with app.reader() as storage:
        article = storage.articles.get(article_id)
    if article is None:
        raise click.ClickException(f"no article #{article_id}")
    echo(f"#{article.id} {article.title or '(untitled)'}")
    echo(f"    {article.source}  {article.url}")
    if article.is_seed:
        echo("    the seed article: the reference the profile tracks (always relevant)")
    stored = "unscored" if article.relevance is None else f"{article.relevance:.2f}"
    echo(f"    stored relevance: {stored}")
    echo(explain(score_article(profile, article.title, article.text, article.lang)))
