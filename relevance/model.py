"""The learned part of the score: a logistic regression over a few dozen features that the
profile's term groups produce (see `features`), fitted to labelled items by
scripts/train_relevance.py and shipped as `model.json` in this package.

Each feature is a number between 0 and 1 with a plain meaning ("region x defense", "group
weapon, with a regional actor"), so a score is a sum of named contributions that `explain`
can print: logit = bias + sum(weight * feature), relevance = sigmoid(logit). The bias already
holds the decision threshold chosen when training (recall first), so relevance 0.5 is that
threshold.
"""

from __future__ import annotations

import functools
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import TYPE_CHECKING, Any

from . import ngrams

# numpy is imported where a model's n-gram weights are read or used, not with the package:
# a crawl cycle whose every source answers 304 scores nothing and imports no numpy.
if TYPE_CHECKING:
    import numpy as np

MODEL_FILE = "model.json"
# The n-gram weights, one per hashed bucket (float16, 2**ngrams.BITS of them).
GRAMS_FILE = "ngrams.npy"
# The name of the n-grams' summed share of the logit among the contributions.
GRAMS = "n-grams"
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
    # One weight per n-gram bucket (ngrams.py), as an array or as GRAMS_FILE's bytes, or
    # None: a model of named features only. Read through `grams`.
    stored_grams: np.ndarray | bytes | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def grams(self) -> np.ndarray | None:
        """The n-gram weights, decoded from the file's bytes on first use: a crawl process
        whose pages a worker scores loads the profile but never imports numpy for it."""
        if isinstance(self.stored_grams, bytes):
            return grams_from_bytes(self.stored_grams)
        return self.stored_grams

    def contributions(
        self, features: Mapping[str, float], grams: Mapping[int, float] | None = None
    ) -> dict[str, float]:
        """Each feature's share of the logit (features the model does not know add 0), and
        the n-grams' summed share under GRAMS."""
        shares = {
            name: self.weights[name] * value
            for name, value in features.items()
            if value and self.weights.get(name)
        }
        if grams and self.grams is not None:
            shares[GRAMS] = sum(self.gram_shares(grams).values())
        return shares

    def gram_shares(self, grams: Mapping[int, float]) -> dict[int, float]:
        """Each n-gram bucket's share of the logit."""
        if self.grams is None or not grams:
            return {}
        import numpy as np

        index = np.fromiter(grams.keys(), dtype=np.int64, count=len(grams))
        values = np.fromiter(grams.values(), dtype=np.float64, count=len(grams))
        shares = values * self.grams[index].astype(np.float64)
        return dict(zip(grams.keys(), shares.tolist(), strict=True))

    def logit(
        self, features: Mapping[str, float], grams: Mapping[int, float] | None = None
    ) -> float:
        return self.bias + sum(self.contributions(features, grams).values())


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, value))))


def load_model() -> Model:
    package = resources.files(__package__)
    text = package.joinpath(MODEL_FILE).read_text(encoding="utf-8")
    grams_file = package.joinpath(GRAMS_FILE)
    grams = grams_file.read_bytes() if grams_file.is_file() else None
    return model_from_json(json.loads(text), grams)


def model_from_json(data: dict[str, Any], grams: np.ndarray | bytes | None = None) -> Model:
    return Model(
        bias=float(data["bias"]),
        weights={str(k): float(v) for k, v in data["weights"].items()},
        about=dict(data.get("about", {})),
        stored_grams=grams,
    )


def grams_to_bytes(grams: np.ndarray) -> bytes:
    import numpy as np

    buffer = io.BytesIO()
    np.save(buffer, grams.astype(np.float16), allow_pickle=False)
    return buffer.getvalue()


def grams_from_bytes(data: bytes) -> np.ndarray:
    import numpy as np

    grams = np.load(io.BytesIO(data), allow_pickle=False)
    if grams.shape != (ngrams.SIZE,):
        raise ValueError(f"{GRAMS_FILE}: {grams.shape} weights, expected {ngrams.SIZE}")
    weights: np.ndarray = grams.astype(np.float32)
    return weights


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
    grams: list[dict[int, float]] | None = None,
    gram_penalty: float = 0.1,
) -> Model:
    """L2-penalised logistic regression (the bias is not penalised) over the named features
    and, if given, the n-gram vectors, fitted by L-BFGS (scipy, imported only here: scoring
    needs numpy alone). Deterministic: a few thousand items at most."""
    import numpy as np
    from scipy import sparse
    from scipy.optimize import minimize

    columns = sorted(names or {name for row in rows for name in row})
    dense = np.array([[row.get(name, 0.0) for name in columns] for row in rows], dtype=float)
    dense = dense.reshape(len(rows), len(columns))
    width = ngrams.SIZE if grams is not None else 0
    if grams is not None:
        at = [(n, k, v) for n, vector in enumerate(grams) for k, v in vector.items()]
        hashed = sparse.csr_matrix(
            ([v for _, _, v in at], ([n for n, _, _ in at], [k for _, k, _ in at])),
            shape=(len(rows), width),
        )
    y = np.array(labels, dtype=float)
    w_items = np.ones(len(rows)) if sample_weights is None else np.array(sample_weights)
    d = len(columns)

    def loss_and_gradient(beta: np.ndarray) -> tuple[float, np.ndarray]:
        b_dense, b_grams = beta[1 : 1 + d], beta[1 + d :]
        z = beta[0] + dense @ b_dense + (hashed @ b_grams if width else 0.0)
        p = 1.0 / (1.0 + np.exp(-np.clip(z, -60, 60)))
        loss = np.sum(w_items * (np.logaddexp(0.0, z) - y * z))
        loss += 0.5 * penalty * b_dense @ b_dense + 0.5 * gram_penalty * b_grams @ b_grams
        r = w_items * (p - y)
        parts = [np.array([r.sum()]), dense.T @ r + penalty * b_dense]
        if width:
            parts.append(hashed.T @ r + gram_penalty * b_grams)
        return float(loss), np.concatenate(parts)

    start = np.zeros(1 + d + width)
    result = minimize(
        loss_and_gradient, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000}
    )
    beta = result.x
    named = zip(columns, beta[1 : 1 + d], strict=True)
    weights = {name: float(b) for name, b in named if abs(b) > 1e-9}
    model_grams = beta[1 + d :].astype(np.float32) if width else None
    return Model(bias=float(beta[0]), weights=weights, about={}, stored_grams=model_grams)


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
    return Model(
        bias=model.bias - cut, weights=model.weights, about=model.about, stored_grams=model.grams
    )
