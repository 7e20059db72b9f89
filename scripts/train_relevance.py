"""Rebuild relevance/model.json from the labelled items.

    python scripts/train_relevance.py [--real ../shared/corpus/relevance/real-dev.jsonl]

Fits the learned model (relevance/model.py: named profile features and hashed n-grams,
relevance/ngrams.py) on the real development set (`unsure` left out)
and the invented sets in tests/relevance/, with the profile shipped in this checkout, and
moves its bias so that relevance 0.5 is the threshold that finds 90% of the relevant real
items in a cross-validation. Run it after changing relevance/profile.toml or the features.
Without the real set (no ../shared) it trains on the in-repo sets alone and says so.
"""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # train the checkout this file belongs to

from config import ProfileConfig  # noqa: E402
from relevance import load_profile  # noqa: E402
from relevance.model import GRAMS_FILE, grams_to_bytes, model_to_json  # noqa: E402
from relevance.ngrams import BITS  # noqa: E402
from relevance.training import (  # noqa: E402
    INVENTED_WEIGHT,
    Settings,
    read_invented,
    read_real,
    train,
)
from storage.seed import SEED_FACTS, read_seed_document, seed_body  # noqa: E402

REAL = ROOT.parent / "shared" / "corpus" / "relevance" / "real-dev.jsonl"
INVENTED = ROOT / "tests" / "relevance"
OUTPUT = ROOT / "relevance" / "model.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)

    examples = read_real(args.real) if args.real.exists() else []
    if not examples:
        print(f"{args.real}: absent; training on the in-repo sets only", file=sys.stderr)
    for path in sorted(INVENTED.glob("*.jsonl")):
        examples += read_invented(path)
    profile = load_profile(ProfileConfig(), seed_body(read_seed_document(), SEED_FACTS.author))
    inputs = [profile.inputs(e.title, e.text, e.lang) for e in examples]
    settings = Settings()
    model, threshold = train(examples, inputs, settings)
    real = sum(e.real for e in examples)
    about = {
        "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
        "items": {
            "real": real,
            "real relevant": sum(e.real and e.relevant for e in examples),
            "invented": len(examples) - real,
        },
        "invented weight": INVENTED_WEIGHT,
        "l2 penalty": settings.penalty,
        "n-grams": f"hashed into 2**{BITS} buckets ({GRAMS_FILE}), l2 penalty "
        f"{settings.gram_penalty}",
        "target recall": settings.recall,
        "probability threshold (now relevance 0.5)": round(threshold, 4),
        "rebuild": "python scripts/train_relevance.py",
    }
    model = type(model)(
        bias=model.bias, weights=model.weights, about=about, stored_grams=model.grams
    )
    args.output.write_text(model_to_json(model), encoding="utf-8")
    if model.grams is not None:
        args.output.with_name(GRAMS_FILE).write_bytes(grams_to_bytes(model.grams))
    print(f"wrote {args.output}: {len(model.weights)} weights, threshold {threshold:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
