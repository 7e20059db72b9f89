"""Property-based tests: feed, sitemap, listing-page and configuration parsing never let an
exception other than their own escape, whatever the input (a fixed example budget, so the
run stays well under a minute); and every crashing input a fuzz run ever kept
(tests/fuzz_regressions/) stays fixed."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzzing import HOSTILE_TOKENS, REGRESSIONS, SEEDS, escaped, mutate

BUDGET = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,  # the same examples in every run: CI never fails by chance
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def edits() -> st.SearchStrategy[list[tuple[float, bytes]]]:
    """Hostile tokens, each at a relative position in the seed."""
    return st.lists(
        st.tuples(
            st.floats(0, 1),
            st.one_of(st.sampled_from(HOSTILE_TOKENS), st.binary(min_size=1, max_size=12)),
        ),
        min_size=1,
        max_size=6,
    )


def apply(seed: bytes, changes: list[tuple[float, bytes]]) -> bytes:
    data = seed
    for where, token in changes:
        at = int(where * len(data))
        data = data[:at] + token + data[at:]
    return data


@pytest.mark.parametrize("kind", sorted(SEEDS))
@BUDGET
@given(data=st.data())
def test_hostile_edits_of_a_document_raise_only_the_parsers_own_error(
    kind: str, data: st.DataObject
) -> None:
    seed = data.draw(st.sampled_from(SEEDS[kind]))
    document = apply(seed, data.draw(edits()))
    error = escaped(kind, document)
    assert error is None, f"{type(error).__name__}: {error} on {document!r}"


@pytest.mark.parametrize("kind", sorted(SEEDS))
@BUDGET
@given(document=st.binary(max_size=600))
def test_arbitrary_bytes_raise_only_the_parsers_own_error(kind: str, document: bytes) -> None:
    error = escaped(kind, document)
    assert error is None, f"{type(error).__name__}: {error} on {document!r}"


@pytest.mark.parametrize("kind", sorted(SEEDS))
def test_random_mutations_raise_only_the_parsers_own_error(kind: str) -> None:
    """The mutations bench/fuzz.py runs for hours, a fixed few hundred of them here."""
    rng = random.Random(13)
    for _ in range(200):
        document = mutate(rng.choice(SEEDS[kind]), rng)
        error = escaped(kind, document)
        assert error is None, f"{type(error).__name__}: {error} on {document!r}"


def regression_inputs() -> list[tuple[str, str]]:
    return sorted(
        (path.name.split("-")[0], path.name) for path in REGRESSIONS.glob("*.bin") if path.is_file()
    )


@pytest.mark.parametrize(("kind", "name"), regression_inputs())
def test_every_kept_crash_input_stays_fixed(kind: str, name: str) -> None:
    error = escaped(kind, (REGRESSIONS / name).read_bytes())
    assert error is None, f"{name}: {type(error).__name__}: {error}"


def test_the_kept_crash_inputs_are_there() -> None:
    # The four from issue 13 at least; a fuzz run adds the ones it finds.
    assert len(regression_inputs()) >= 4
