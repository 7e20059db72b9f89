"""The learned part of the score: a logistic regression over a few dozen features that the
profile's term groups produce (see `features`), fitted to labelled items by
scripts/train_relevance.py and shipped as `model.json` in this package.

Each feature is a number between 0 and 1 with a plain meaning ("region x defense", "group
weapon, with a regional actor"), so a score is a sum of named contributions that `explain`
can print: logit = bias + sum(weight * feature), relevance = sigmoid(logit). The bias already
holds the decision threshold chosen when training (recall first), so relevance 0.5 is that
threshold.
"""

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

MODEL_FILE = "model.json"
# The feature names besides "group:<name>".
CORE = "region x defense x actor"
PAIR = "region x defense"
REGION = "region"
DEFENSE = "defense"
FOREIGN = "foreign actor"
NOT_ACTOR = "region not the main actor"
SPORT = "sport"
CIVIL = "civil emergency"
SEED = "seed similarity"
LANGUAGE = "regional language"
TITLE_ONLY = "title only"


@dataclass(frozen=True)
class Model:
    bias: float
    weights: dict[str, float]
    about: dict[str, Any]  # what it was trained on, how it was validated

    def contributions(self, features: Mapping[str, float]) -> dict[str, float]:
        """Each feature's share of the logit (features the model does not know add 0)."""
        return {
            name: self.weights[name] * value
            for name, value in features.items()
            if value and self.weights.get(name)
        }

    def logit(self, features: Mapping[str, float]) -> float:
        return self.bias + sum(self.contributions(features).values())


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))


def load_model() -> Model:
    text = resources.files(__package__).joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return model_from_json(json.loads(text))


def model_from_json(data: dict[str, Any]) -> Model:
    return Model(
        bias=float(data["bias"]),
        weights={str(k): float(v) for k, v in data["weights"].items()},
        about=dict(data.get("about", {})),
    )


def model_to_json(model: Model) -> str:
    data = {
        "about": model.about,
        "bias": round(model.bias, 6),
        "weights": {k: round(v, 6) for k, v in sorted(model.weights.items())},
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


# --- fitting (used by scripts/train_relevance.py and bench/relevance_bench.py) ------------


def fit(
    rows: list[dict[str, float]],
    labels: list[bool],
    sample_weights: list[float] | None = None,
    penalty: float = 1.0,
    names: Iterable[str] | None = None,
) -> Model:
    """L2-penalised logistic regression by Newton's method (IRLS); the bias is not penalised.
    Small and deterministic: a few dozen features, a thousand or two items."""
    columns = sorted(names or {name for row in rows for name in row})
    x = np.array([[row.get(name, 0.0) for name in columns] for row in rows], dtype=float)
    x = np.hstack([np.ones((len(rows), 1)), x])
    y = np.array(labels, dtype=float)
    w_items = np.ones(len(rows)) if sample_weights is None else np.array(sample_weights)
    ridge = np.full(x.shape[1], penalty)
    ridge[0] = 1e-6
    beta = np.zeros(x.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -60, 60)))
        gradient = x.T @ (w_items * (p - y)) + ridge * beta
        hessian = (x.T * (w_items * p * (1 - p))) @ x + np.diag(ridge)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    weights = {name: float(b) for name, b in zip(columns, beta[1:], strict=True) if abs(b) > 1e-9}
    return Model(bias=float(beta[0]), weights=weights, about={})


def threshold_for_recall(scores: list[float], labels: list[bool], recall: float) -> float:
    """The highest score threshold that still finds `recall` of the relevant items."""
    positives = sorted((s for s, y in zip(scores, labels, strict=True) if y), reverse=True)
    if not positives:
        return 0.5
    needed = math.ceil(recall * len(positives))
    return positives[needed - 1]


def shifted(model: Model, threshold: float) -> Model:
    """The same model with its bias moved so that `threshold` becomes relevance 0.5."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    cut = math.log(threshold / (1 - threshold))
    return Model(bias=model.bias - cut, weights=model.weights, about=model.about)
