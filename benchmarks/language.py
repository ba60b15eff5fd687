"""Language detection: what it costs next to spaCy, and how it agrees with real feeds' declarations.

1. Cost: CPU time of ``detect_language`` and of ``nlp.pipe`` over the same BBC articles, in this
   process, best of ``--rounds`` (the target: detection adds at most 2 % to a run).
2. Agreement: every entry of the real feed snapshots in ``feeds-fastfeedparser`` and
   ``feeds-feedjira`` whose feed declares a language, detected as the pipeline does (title and the
   start of the text, the declaration as the hint); the entries where text and declaration differ are
   printed, to be read.

    python benchmarks/language.py [--every 10] [--json]

Timings depend on the machine and on what else runs on it; nothing here is a test.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
# Benchmarks read the evaluation data beside the repository, as the tests do.
EVAL = REPO_ROOT.parent / "shared" / "eval"

from pipeline.config import load_settings  # noqa: E402
from pipeline.nlp.annotate import model_kwargs  # noqa: E402
from pipeline.nlp.language import declared_language, detect_language, text_sample  # noqa: E402
from pipeline.nlp.model import load_model  # noqa: E402

_TAG = re.compile(r"<[^>]+>")


def cost(texts: list[str], *, rounds: int) -> dict[str, float]:
    settings = load_settings().nlp
    nlp = load_model(settings.pipelines["en"], **model_kwargs(settings))
    detect_language(texts[0])  # load the model outside the timing
    detect, parse = [], []
    for _ in range(rounds):
        started = time.process_time()
        for text in texts:
            detect_language(text_sample(None, text))
        detect.append(time.process_time() - started)
        started = time.process_time()
        for _ in nlp.pipe(texts, batch_size=settings.batch_size):
            pass
        parse.append(time.process_time() - started)
    return {"articles": len(texts), "detect_ms_per_article": 1000 * min(detect) / len(texts),
            "spacy_ms_per_article": 1000 * min(parse) / len(texts), "share_of_spacy": min(detect) / min(parse)}


def feed_entries(folders: list[Path]):
    """(declared language, title + text) of each entry of the feeds that declare a language."""
    import feedparser

    for path in sorted(path for folder in folders for path in folder.rglob("*") if path.is_file()):
        if path.suffix in (".json", ".md", ".tsv", ".txt") or path.name in ("LICENSE",):
            continue
        feed = feedparser.parse(path.read_bytes())
        declared = declared_language(feed.feed.get("language"))
        if not declared:
            continue
        for entry in feed.entries:
            content = entry.get("content")
            body = content[0].get("value", "") if content else entry.get("summary", "")
            yield declared, text_sample(entry.get("title"), html.unescape(_TAG.sub(" ", body)))


def agreement(folders: list[Path]) -> dict:
    agree, total, differ = Counter(), Counter(), []
    for declared, sample in feed_entries(folders):
        detected = detect_language(sample, declared=declared)
        total[declared] += 1
        agree[declared] += detected == declared
        if detected != declared:
            differ.append((declared, detected, " | ".join(sample.split("\n"))[:120]))
    return {"entries": sum(total.values()), "agree": sum(agree.values()),
            "by_declared": {code: [agree[code], count] for code, count in total.most_common()}, "differ": differ}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="time every Nth BBC article (default 10: 223)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    bbc = sorted((EVAL / "bbc-news" / "bbc").glob("*/*.txt"))[::args.every]
    if not bbc:
        print(f"error: no BBC articles under {EVAL / 'bbc-news'}", file=sys.stderr)
        return 2
    result = {"cost": cost([path.read_text(encoding="latin-1") for path in bbc], rounds=args.rounds),
              "feeds": agreement([EVAL / "feeds-fastfeedparser" / "benchmark_data", EVAL / "feeds-feedjira"])}
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    c, f = result["cost"], result["feeds"]
    print(f"cost: {c['detect_ms_per_article']:.2f} ms/article to detect, {c['spacy_ms_per_article']:.1f} ms/article "
          f"for spaCy: {100 * c['share_of_spacy']:.2f} % ({c['articles']} BBC articles)")
    print(f"feeds: {f['agree']} of {f['entries']} entries agree with their feed's language {f['by_declared']}")
    for declared, detected, sample in f["differ"]:
        print(f"  declared {declared}, detected {detected}: {sample}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
