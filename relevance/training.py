"""Fitting and validating the learned model on labelled items (not used while scoring).

scripts/train_relevance.py writes model.json with `train`; bench/relevance_bench.py reports
with `cross_validate`, so every number it prints for a labelled item comes from a model
that never saw that item, and whose threshold was chosen without it too.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .model import Model, fit, shifted, sigmoid, threshold_for_recall

# The default operating point: find this share of the relevant real items.
TARGET_RECALL = 0.90
PENALTY = 1.0
FOLDS = 5
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
            )
        )
    return examples


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


def _weights(examples: list[Example]) -> list[float]:
    return [1.0 if e.real else INVENTED_WEIGHT for e in examples]


def train(
    examples: list[Example],
    features: list[dict[str, float]],
    recall: float = TARGET_RECALL,
    penalty: float = PENALTY,
) -> tuple[Model, float]:
    """The model fitted on all examples, its bias shifted so that relevance 0.5 is the
    threshold that finds `recall` of the relevant real items in an inner cross-validation
    (in-sample scores would be too confident). Returns the model and that threshold."""
    labels = [e.relevant for e in examples]
    model = fit(features, labels, _weights(examples), penalty)
    inner = _out_of_fold(examples, features, assign_folds(examples), penalty)
    real = [n for n, e in enumerate(examples) if e.real] or list(range(len(examples)))
    threshold = threshold_for_recall([inner[n] for n in real], [labels[n] for n in real], recall)
    return shifted(model, threshold), threshold


def _out_of_fold(
    examples: list[Example], features: list[dict[str, float]], folds: list[int], penalty: float
) -> list[float]:
    """Each example's probability from a model fitted without its fold (no threshold)."""
    scores = [0.0] * len(examples)
    for fold in sorted(set(folds)):
        train_at = [n for n, f in enumerate(folds) if f != fold]
        model = fit(
            [features[n] for n in train_at],
            [examples[n].relevant for n in train_at],
            _weights([examples[n] for n in train_at]),
            penalty,
        )
        for n, f in enumerate(folds):
            if f == fold:
                scores[n] = sigmoid(model.logit(features[n]))
    return scores


def cross_validate(
    examples: list[Example],
    features: list[dict[str, float]],
    recall: float = TARGET_RECALL,
    penalty: float = PENALTY,
    folds: int = FOLDS,
    progress: Callable[[int], None] | None = None,
) -> list[Model]:
    """One model per outer fold, each trained (with its threshold chosen by an inner
    cross-validation) on the other folds only; `models[fold_of[n]]` scores example n."""
    assigned = assign_folds(examples, folds)
    models = []
    for fold in range(folds):
        train_at = [n for n, f in enumerate(assigned) if f != fold]
        model, _ = train(
            [examples[n] for n in train_at], [features[n] for n in train_at], recall, penalty
        )
        models.append(model)
        if progress:
            progress(fold)
    return models
