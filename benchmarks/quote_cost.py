"""What the quote extractor costs next to the spaCy parse of the same articles.

Parses PolNeAR articles once with ``nlp.pipe`` (timed), then runs the entity and quote extraction
over the parsed documents (timed separately, best of ``--repeat`` runs, since they are cheap and
noisy) and prints both as shares of the parse time.  The target is that quotes add at most 10%.

    python benchmarks/quote_cost.py                  # PolNeAR dev, 84 articles
    python benchmarks/quote_cost.py --split train    # 840 articles

Timings depend on the machine and on what else runs on it; nothing here is a test.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
# Benchmarks read the evaluation data beside the repository, as the tests do.
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "polnear" / "derived"

from pipeline.evaluation.corpora import DEFAULT_MODEL  # noqa: E402
from pipeline.evaluation.quotes import load_articles  # noqa: E402
from pipeline.nlp.entities import extract_entities  # noqa: E402
from pipeline.nlp.extract import required_components  # noqa: E402
from pipeline.nlp.model import load_model  # noqa: E402
from pipeline.nlp.quotes import extract_quotes  # noqa: E402


def measure(texts: list[str], *, model: str, repeat: int) -> dict[str, float]:
    nlp = load_model(model, keep=required_components())  # the components the pipeline runs
    list(nlp.pipe(["Warm-up text, said the benchmark."]))  # first call builds caches
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=16))
    parse = time.perf_counter() - started

    entity_runs, quote_runs = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        entities = [extract_entities(doc, f"a{number}") for number, doc in enumerate(docs)]
        entity_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        quotes = sum(len(extract_quotes(doc, found, f"a{number}")) for number, (doc, found) in enumerate(zip(docs, entities)))
        quote_runs.append(time.perf_counter() - started)
    return {
        "articles": len(texts),
        "characters": sum(len(text) for text in texts),
        "quotes": quotes,
        "parse_seconds": round(parse, 3),
        "entities_seconds": round(min(entity_runs), 3),
        "quotes_seconds": round(min(quote_runs), 3),
        "quotes_share_of_parse": round(min(quote_runs) / parse, 4),
        "entities_and_quotes_share_of_parse": round((min(entity_runs) + min(quote_runs)) / parse, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("train", "dev"), default="dev")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    path = args.data / f"{args.split}.jsonl"
    if not path.is_file():
        print(f"error: no PolNeAR data at {path}", file=sys.stderr)
        return 2
    texts = [article.text for article in load_articles(path)]
    print(json.dumps(measure(texts, model=args.model, repeat=args.repeat), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
