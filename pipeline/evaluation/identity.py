"""Score dataset-wide identity on AIDA CoNLL-YAGO: ``newsbeam eval-identity --split testa``.

AIDA links the named-entity mentions of CoNLL-2003 to Wikipedia entities; mentions of one entity in
different documents should get one identity. Each document's text is rebuilt from its CoNLL tokens
(:mod:`pipeline.evaluation.entities`), run through the shipped extraction, and every system mention is
matched to a gold mention by overlap. A matched mention's system identity is, for the ``article``
baseline, its entity's per-article name, and for ``dataset``, the canonical key that
:func:`pipeline.identity.resolve.resolve_all` gives over the statistics of the whole split.

Reported per system: coverage (share of gold linked mentions matched), B-cubed precision/recall/F1
over the matched mentions, and pairwise precision/recall/F1 over pairs of matched mentions from two
*different* documents (the sharper figure: about half of the entities occur in one document only).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from pipeline.evaluation.corpora import AIDA_ANNOTATIONS, CONLL2003, DEFAULT_MODEL, EvaluationDataMissing, corpus_path
from pipeline.evaluation.entities import GoldDocument, load_documents, overlap
from pipeline.evaluation.metrics import PRF, f1, ratio
from pipeline.identity.evidence import NameStats, combine_all, observe_article
from pipeline.identity.names import name_key
from pipeline.identity.resolve import resolve_all
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.extract import required_components
from pipeline.nlp.model import ModelNotFound, load_model
from pipeline.records import Entity

# AIDA's documents follow CoNLL-2003's train.txt, then valid.txt (= AIDA's testa); testb is held out.
SPLITS = {"train": "train", "testa": "valid"}
NIL = "--NME--"
# CoNLL carries no dates; every document is "seen" at one instant, which no decision reads.
SEEN_AT = datetime(1996, 8, 30, tzinfo=timezone.utc)

# AIDA links a country or county named as a sports team to the team ("Japan" in a match report ->
# Japan national football team). A name cannot tell the two apart, so the team folds into its place
# Some national teams are named without "national" ("England cricket team", "Spain Fed Cup team"),
# and "United States men's national soccer team" loses its "men's" too.
_TEAM = re.compile(
    r"(?:\s+(?:men|women)'s)?\s+(?:national\s.*team|cricket team|(?:Fed|Davis) Cup team|County Cricket Club)$"
)
# The CoNLL labels whose linked mentions are scored: the names of people, organisations and places.
# MISC (demonyms such as "Russian" linked to Russia, events, nationalities) is left out, as it is
# from the headline of the entity evaluation.
SCORED_LABELS = frozenset({"PER", "ORG", "LOC"})


@dataclass(frozen=True)
class GoldMention:
    start: int
    end: int
    entity: str  # the linked entity, teams folded into their place


@dataclass(frozen=True)
class Document:
    doc_id: str
    text: str
    mentions: tuple[GoldMention, ...]  # linked mentions only (NIL skipped)


@dataclass(frozen=True)
class Matched:
    """One gold mention matched by a system mention: its gold entity, document and system identity."""

    doc_id: str
    gold: str
    system: str


@dataclass(frozen=True)
class IdentityScores:
    coverage: float
    bcubed: PRF
    cross_document: PRF
    gold_mentions: int
    matched: int


def fold_team(entity: str) -> str:
    """The place a sports team is named after ("Japan national football team" -> "Japan")."""
    return _TEAM.sub("", entity)


def read_aida(path: Path) -> list[list[tuple[int, str | None]]]:
    """Per AIDA document, in file order: (token index, linked entity or None for NIL) per mention."""
    documents: list[list[tuple[int, str | None]]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if fields[0].startswith("-DOCSTART-"):
                documents.append([])
            elif fields[0].strip():
                entity = None if fields[1] == NIL else _unescape(fields[1]).replace("_", " ")
                documents[-1].append((int(fields[0]), entity))
    return documents


def _unescape(name: str) -> str:
    """YAGO names escape non-ASCII characters as ``\\uXXXX``."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda match: chr(int(match.group(1), 16)), name)


def load_split(split: str, *, conll: Path, aida: Path) -> list[Document]:
    """The documents of one AIDA split with their linked gold mentions as character spans."""
    train = load_documents(conll / "train.txt")
    links = read_aida(aida)
    if split == "train":
        pairs = zip(train, links[:len(train)])
    else:
        pairs = zip(load_documents(conll / f"{SPLITS[split]}.txt"), links[len(train):])
    return [_with_links(document, mentions) for document, mentions in pairs]


def _with_links(document: GoldDocument, links: Sequence[tuple[int, str | None]]) -> Document:
    """Token indices to the CoNLL span starting at that token (the text joins tokens by whitespace);
    the PER, ORG and LOC ones are kept."""
    token_starts = [match.start() for match in re.finditer(r"\S+", document.text)]
    span_at = {span.start: span for span in document.spans}
    mentions = []
    for index, entity in links:
        if entity is None:
            continue
        span = span_at.get(token_starts[index])
        if span is None:
            raise ValueError(f"{document.doc_id}: AIDA token {index} starts no CoNLL entity")
        if span.label in SCORED_LABELS:
            mentions.append(GoldMention(span.start, span.end, fold_team(entity)))
    return Document(document.doc_id, document.text, tuple(mentions))


def extract(documents: Sequence[Document], *, model: str, batch_size: int = 16) -> list[tuple[Entity, ...]]:
    """The shipped extraction's entities of each document, in order."""
    nlp = load_model(model, keep=required_components())
    docs = nlp.pipe((document.text for document in documents), batch_size=batch_size)
    return [extract_entities(doc, document.doc_id) for document, doc in zip(documents, docs)]


def article_identity(entity: Entity) -> str:
    """The baseline: an entity's per-article name is its identity."""
    return entity.name


def dataset_identities(entities_by_document: Iterable[tuple[Entity, ...]]) -> Callable[[Entity], str]:
    """The dataset identity of each entity: the canonical key of its name over the whole corpus."""
    stats: list[dict[str, NameStats]] = [observe_article(entities, seen_at=SEEN_AT) for entities in entities_by_document]
    canonical = resolve_all(combine_all(stats))

    def identity(entity: Entity) -> str:
        key = name_key(entity.name, entity.label)
        return canonical.get(key, key)

    return identity


def match(document: Document, entities: Sequence[Entity], identity: Callable[[Entity], str]) -> list[Matched]:
    """Gold mentions matched one-to-one to overlapping system mentions, largest overlap first."""
    system = [(mention, identity(entity)) for entity in entities for mention in entity.mentions]
    pairs = sorted(
        ((overlap(gold, mention), g, s)
         for g, gold in enumerate(document.mentions)
         for s, (mention, _) in enumerate(system)
         if overlap(gold, mention) > 0),
        key=lambda item: (-item[0], item[1], item[2]),
    )
    used_gold: set[int] = set()
    used_system: set[int] = set()
    matched = []
    for _, g, s in pairs:
        if g not in used_gold and s not in used_system:
            used_gold.add(g)
            used_system.add(s)
            matched.append(Matched(document.doc_id, document.mentions[g].entity, system[s][1]))
    return matched


def score(matched: Sequence[Matched], gold_mentions: int) -> IdentityScores:
    """Coverage, B-cubed over the matched mentions and pairwise over cross-document pairs."""
    cells = Counter((m.system, m.gold) for m in matched)
    system_sizes = Counter(m.system for m in matched)
    gold_sizes = Counter(m.gold for m in matched)
    total = len(matched)
    # B-cubed sums, over every mention, the share of its system cluster that is its gold entity
    # (precision) and the share of its gold entity that is in its system cluster (recall).
    b_precision = ratio(sum(n * n / system_sizes[s] for (s, _), n in cells.items()), total)
    b_recall = ratio(sum(n * n / gold_sizes[g] for (_, g), n in cells.items()), total)
    both = _cross_pairs(Counter((m.system, m.gold, m.doc_id) for m in matched))
    by_system = _cross_pairs(Counter((m.system, "", m.doc_id) for m in matched))
    by_gold = _cross_pairs(Counter(("", m.gold, m.doc_id) for m in matched))
    precision, recall = ratio(both, by_system), ratio(both, by_gold)
    return IdentityScores(
        coverage=ratio(total, gold_mentions),
        bcubed=PRF(b_precision, b_recall, f1(b_precision, b_recall)),
        cross_document=PRF(precision, recall, f1(precision, recall)),
        gold_mentions=gold_mentions,
        matched=total,
    )


def _cross_pairs(counts: Counter[tuple[str, str, str]]) -> int:
    """Pairs of mentions in one cluster (its first two fields) that come from two different documents."""
    sizes: Counter[tuple[str, str]] = Counter()
    squares: Counter[tuple[str, str]] = Counter()
    for (a, b, _), n in counts.items():
        sizes[(a, b)] += n
        squares[(a, b)] += n * n
    return sum((sizes[cluster] ** 2 - squares[cluster]) // 2 for cluster in sizes)


def evaluate(documents: Sequence[Document], entities: Sequence[tuple[Entity, ...]]) -> dict[str, IdentityScores]:
    """Scores of each system over the documents and their extracted entities."""
    gold_mentions = sum(len(document.mentions) for document in documents)
    identities = {"article": article_identity, "dataset": dataset_identities(entities)}
    return {
        system: score([m for document, found in zip(documents, entities) for m in match(document, found, identity)],
                      gold_mentions)
        for system, identity in identities.items()
    }


def format_table(results: dict[str, IdentityScores]) -> str:
    header = f"{'system':<8} {'coverage':>8} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} {'xdoc P':>7} {'xdoc R':>7} {'xdoc F1':>7}"
    rows = [header, "-" * len(header)]
    for system, result in results.items():
        b, x = result.bcubed, result.cross_document
        rows.append(f"{system:<8} {result.coverage:>8.3f} {b.precision:>6.3f} {b.recall:>6.3f} {b.f1:>6.3f} "
                    f"{x.precision:>7.3f} {x.recall:>7.3f} {x.f1:>7.3f}")
    return "\n".join(rows)


def as_json(results: dict[str, IdentityScores], *, split: str, documents: int, model: str) -> str:
    def rounded(value: object) -> object:
        if isinstance(value, dict):
            return {key: rounded(item) for key, item in value.items()}
        return round(value, 4) if isinstance(value, float) else value

    scores = {system: rounded(asdict(result)) for system, result in results.items()}
    return json.dumps({"split": split, "documents": documents, "model": model, "scores": scores}, indent=2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbeam eval-identity", description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=tuple(SPLITS), default="testa")
    parser.add_argument("--conll", type=Path,
                        help=f"folder with CoNLL-2003 train.txt and valid.txt (default: $NEWSBEAM_EVAL_DATA/{CONLL2003})")
    parser.add_argument("--aida", type=Path,
                        help=f"the AIDA-YAGO2 annotations TSV, train + testa (default: $NEWSBEAM_EVAL_DATA/{AIDA_ANNOTATIONS})")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="spaCy pipeline name or path")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.conll = corpus_path(CONLL2003, args.conll)
        args.aida = corpus_path(AIDA_ANNOTATIONS, args.aida)
    except EvaluationDataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for path in (args.conll / "train.txt", args.conll / f"{SPLITS[args.split]}.txt", args.aida):
        if not path.is_file():
            print(f"error: no evaluation data at {path}", file=sys.stderr)
            return 2
    try:
        documents = load_split(args.split, conll=args.conll, aida=args.aida)
        entities = extract(documents, model=args.model)
    except (ValueError, UnicodeDecodeError, IndexError, ModelNotFound) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    results = evaluate(documents, entities)
    if args.json:
        print(as_json(results, split=args.split, documents=len(documents), model=args.model))
    else:
        print(f"AIDA CoNLL-YAGO {args.split}: {len(documents)} documents, model {args.model}")
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
