"""Fitting and validating the learned model on labelled items (not used while scoring).

scripts/train_relevance.py writes model.json with `train`; bench/relevance_bench.py reports
with `cross_validate`, so every number it prints for a labelled item comes from a model
that never saw that item, and whose threshold was chosen without it too.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .model import Model, fit, shifted, sigmoid, threshold_for_recall

# The default operating point: find this share of the relevant real items.
TARGET_RECALL = 0.90
# L2 penalties: the named features, and each n-gram bucket (n-gram vectors have unit length,
# so a bucket's value is small; 0.1 did best of 0.03, 0.1, 0.3, 1 and 3 on the real set's
# cross-validation, the only choice made on the outer folds).
PENALTY = 1.0
GRAM_PENALTY = 0.1
FOLDS = 5
# A model's input for one item: its named features and its n-gram vector.
Inputs = tuple[dict[str, float], dict[int, float]]


@dataclass(frozen=True)
class Settings:
    recall: float = TARGET_RECALL
    penalty: float = PENALTY
    gram_penalty: float = GRAM_PENALTY
    grams: bool = True  # False: the named features alone (the first round's model)


# Invented in-repo items teach the model too, but real coverage weighs more.
INVENTED_WEIGHT = 0.5


@dataclass(frozen=True)
class Example:
    id: str
    set: str  # "real-dev" or the in-repo set's name
    lang: str
    title: str | None
    text: str | None
    relevant: bool
    source: str = ""
    date: str = ""

    @property
    def real(self) -> bool:
        return self.set == "real-dev"


def read_real(path: Path) -> list[Example]:
    """The real development set; `unsure` items are left out (the README's rule)."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        if row["label"] == "unsure":
            continue
        examples.append(
            Example(
                id=row["id"],
                set="real-dev",
                lang=row["lang"],
                title=row.get("title") or None,
                text=row.get("description") or None,
                relevant=row["label"] == "relevant",
                source=row.get("source") or "",
                date=_utc(row.get("date") or ""),
            )
        )
    return examples


def _utc(stamp: str) -> str:
    """An ISO time as a sortable UTC string ("" if it cannot be read)."""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def read_invented(path: Path) -> list[Example]:
    """One of the in-repo sets under tests/relevance/."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            examples.append(
                Example(
                    row["id"], path.stem, row["lang"], row["title"], row["text"], row["relevant"]
                )
            )
    return examples


def assign_folds(examples: list[Example], folds: int = FOLDS) -> list[int]:
    """A fixed fold per example, stratified: within each (set, language, label) stratum the
    examples are dealt round-robin in the order of a hash of their id."""
    strata: dict[tuple[str, str, bool], list[int]] = {}
    for number, example in enumerate(examples):
        strata.setdefault((example.set, example.lang, example.relevant), []).append(number)
    assigned = [0] * len(examples)
    offset = 0
    for key in sorted(strata, key=str):
        members = sorted(
            strata[key], key=lambda n: hashlib.sha256(examples[n].id.encode()).hexdigest()
        )
        for position, number in enumerate(members):
            assigned[number] = (position + offset) % folds
        offset += len(members)
    return assigned


def source_folds(examples: list[Example], folds: int = FOLDS) -> list[int]:
    """Folds by outlet: every item of a source is in the same fold (the big sources dealt
    largest first to the emptiest fold), so a fold's items come from outlets the model never
    saw. An in-repo set counts as one source."""
    groups: dict[str, list[int]] = {}
    for number, example in enumerate(examples):
        groups.setdefault(example.source or example.set, []).append(number)
    sizes = [0] * folds
    assigned = [0] * len(examples)
    for _, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        fold = sizes.index(min(sizes))
        sizes[fold] += len(members)
        for number in members:
            assigned[number] = fold
    return assigned


def time_split(examples: list[Example], share: float = 0.2) -> list[int]:
    """One test part, the newest `share` of the real items (fold 0); everything else, the
    in-repo sets included, is only ever trained on (fold -1)."""
    real = sorted((e.date, n) for n, e in enumerate(examples) if e.real and e.date)
    newest = {n for _, n in real[len(real) - round(share * len(real)) :]}
    return [0 if n in newest else -1 for n in range(len(examples))]


def _weights(examples: list[Example]) -> list[float]:
    return [1.0 if e.real else INVENTED_WEIGHT for e in examples]


def _fit(examples: list[Example], inputs: list[Inputs], settings: Settings) -> Model:
    return fit(
        [features for features, _ in inputs],
        [e.relevant for e in examples],
        _weights(examples),
        settings.penalty,
        grams=[grams for _, grams in inputs] if settings.grams else None,
        gram_penalty=settings.gram_penalty,
    )


def train(
    examples: list[Example], inputs: list[Inputs], settings: Settings | None = None
) -> tuple[Model, float]:
    """The model fitted on all examples, its bias shifted so that relevance 0.5 is the
    threshold that finds `settings.recall` of the relevant real items in an inner
    cross-validation (in-sample scores would be too confident). Returns the model and that
    threshold."""
    settings = settings or Settings()
    labels = [e.relevant for e in examples]
    model = _fit(examples, inputs, settings)
    inner = _out_of_fold(examples, inputs, assign_folds(examples), settings)
    real = [n for n, e in enumerate(examples) if e.real] or list(range(len(examples)))
    threshold = threshold_for_recall(
        [inner[n] for n in real], [labels[n] for n in real], settings.recall
    )
    return shifted(model, threshold), threshold


def _out_of_fold(
    examples: list[Example], inputs: list[Inputs], folds: list[int], settings: Settings
) -> list[float]:
    """Each example's probability from a model fitted without its fold (no threshold)."""
    scores = [0.0] * len(examples)
    for fold in sorted(set(folds)):
        train_at = [n for n, f in enumerate(folds) if f != fold]
        model = _fit([examples[n] for n in train_at], [inputs[n] for n in train_at], settings)
        for n, f in enumerate(folds):
            if f == fold:
                scores[n] = sigmoid(model.logit(*inputs[n]))
    return scores


def cross_validate(
    examples: list[Example],
    inputs: list[Inputs],
    assigned: list[int],
    settings: Settings | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[int, Model]:
    """One model per test fold (fold numbers >= 0 in `assigned`; -1 is never tested), each
    trained, with its threshold chosen by an inner cross-validation, on the other items
    only: `models[assigned[n]]` scores example n."""
    models = {}
    for fold in sorted({f for f in assigned if f >= 0}):
        train_at = [n for n, f in enumerate(assigned) if f != fold]
        model, _ = train([examples[n] for n in train_at], [inputs[n] for n in train_at], settings)
        models[fold] = model
        if progress:
            progress(fold)
    return models
