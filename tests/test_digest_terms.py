from digest.select import _matched


def test_digest_shows_the_terms_found_not_the_scoring_reasons() -> None:
    stored = (
        '["place:Aktau", "exercise-alias:Unity", "seed:0.27", "rule:no-defense-term", '
        '"sport:medals", "foreign:Ukraine", "lang:regional", "Oymasha", "place:Aktau"]'
    )
    # Terms after the seed similarity were named past the scored opening: not shown.
    assert _matched(stored) == ("Aktau", "Unity")
    bare = '["Oymasha", "place:Aktau", "lang:regional", "seed:0.31", "site:Oymasha"]'
    assert _matched(bare) == ("Oymasha", "Aktau")
    assert _matched("not json") == ()
