"""Evaluate the entity extractor on CoNLL-2003 English or Europeana Newspapers French: ``newsbeam eval-entities``.

``--language en`` (the default) reads CoNLL-2003 (``--split valid``); ``--language fr`` reads the
French file of Europeana Newspapers' NER corpora (``enp_FR.bnf.bio``: OCRed BnF newspapers, one
``word tag`` per line, no sentence or document marks) and cuts it into documents of 15 sentences.
Both become the same gold documents and are scored the same way.

Rebuilds each document's text from its tokens, runs the shipped extraction (spaCy through
``nlp.pipe``, then :func:`pipeline.nlp.entities.extract_entities`) and prints precision, recall and
F1 per CoNLL label, exact and lenient, for the project's cleaned mentions and, as the baseline, for
spaCy's raw ``doc.ents`` under the same label mapping, with the language's own rules and model. PER+ORG+LOC (micro) is the headline; MISC,
which OntoNotes labels do not cover one to one, is reported on its own.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from spacy.tokens import Doc

from pipeline.evaluation.corpora import (
    CONLL2003,
    DEFAULT_MODEL,
    EUROPEANA_FR,
    FRENCH_MODEL,
    EvaluationDataMissing,
    corpus_path,
)
from pipeline.evaluation.metrics import f1, ratio
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.extract import required_components
from pipeline.nlp.model import ModelNotFound, load_model

SPLITS = ("train", "valid", "test")
DOCSTART = "-DOCSTART-"
LANGUAGES = ("en", "fr")
# The model each language is scored with unless told otherwise: the one the pipeline ships for it.
MODELS = {"en": DEFAULT_MODEL, "fr": FRENCH_MODEL}
# The French corpus has no sentence marks: a sentence ends at one of these tokens outside an entity.
SENTENCE_END = frozenset({".", "!", "?"})
# Consecutive sentences per French document: about a CoNLL-2003 document's size (~240 tokens), since
# the project's clustering (a surname taking the full name's label) works within a document.
SENTENCES_PER_DOCUMENT = 15

# spaCy (OntoNotes) label -> CoNLL label; numeric labels (DATE, MONEY, ...) have none and are not scored.
LABEL_MAP = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC", "LOC": "LOC", "FAC": "LOC",
    "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "LANGUAGE": "MISC",
    # fr_core_news_sm's labels (WikiNER's) are CoNLL's own; its LOC is above. No English model writes these two.
    "PER": "PER", "MISC": "MISC",
}
SCORED = ("PER", "ORG", "LOC")  # micro-averaged into the headline
HEADLINE = "PER+ORG+LOC"
REPORTED = (*SCORED, HEADLINE, "MISC")
SYSTEMS = ("project", "spacy")  # extract_entities' mentions; raw doc.ents (the baseline)
MATCHES = ("exact", "lenient")


@dataclass(frozen=True)
class Sentence:
    words: tuple[str, ...]
    tags: tuple[str, ...]  # the NER column, IOB1


@dataclass(frozen=True)
class Span:
    """A labelled character span ``[start, end)`` of a document's text (CoNLL label)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class GoldDocument:
    doc_id: str
    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    gold: int
    predicted: int


# (system, match) -> CoNLL label (and the headline) -> scores
Results = dict[tuple[str, str], dict[str, Scores]]


def read_conll(path: Path, *, limit: int | None = None) -> list[list[Sentence]]:
    """The documents of a 4-column CoNLL file (``word POS chunk NER``), each a list of sentences."""
    documents: list[list[Sentence]] = []
    sentence: list[tuple[str, str]] = []

    def close_sentence() -> None:
        if sentence:
            if not documents:  # tokens before any -DOCSTART- form a document of their own
                documents.append([])
            documents[-1].append(Sentence(tuple(w for w, _ in sentence), tuple(t for _, t in sentence)))
            sentence.clear()

    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if not fields:
                close_sentence()
                continue
            if fields[0] == DOCSTART:
                close_sentence()
                if limit is not None and len([document for document in documents if document]) >= limit:
                    break
                documents.append([])
                continue
            if len(fields) < 2:
                raise ValueError(f"{path}:{number}: expected 'word POS chunk NER', got {line.strip()!r}")
            sentence.append((fields[0], fields[-1]))
    close_sentence()
    documents = [document for document in documents if document]
    return documents if limit is None else documents[:limit]


def read_bio(path: Path, *, limit: int | None = None,
             sentences_per_document: int = SENTENCES_PER_DOCUMENT) -> list[list[Sentence]]:
    """The documents of a 2-column ``word tag`` file with no document marks (Europeana's ``enp_*.bio``).

    The file is one run of newspaper pages: a sentence ends at a blank line (should a cleaned copy
    have them) or at a ".", "!" or "?" tagged O, and every ``sentences_per_document`` consecutive
    sentences form one document. ``limit`` keeps the first N documents: the start of the file, so
    the same sample on every run.
    """
    documents: list[list[Sentence]] = []
    for sentence in _bio_sentences(path):
        if not documents or len(documents[-1]) == sentences_per_document:
            if limit is not None and len(documents) == limit:
                break
            documents.append([])
        documents[-1].append(sentence)
    return documents


def _bio_sentences(path: Path) -> Iterator[Sentence]:
    words: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.split()
            if fields:
                if len(fields) != 2 or not (fields[1] == "O" or fields[1][:2] in ("B-", "I-")):
                    raise ValueError(f"{path}:{number}: expected 'word tag' (tag O, B-X or I-X), got {line.strip()!r}")
                words.append(fields[0])
                tags.append(fields[1])
            if words and (not fields or (fields[0] in SENTENCE_END and fields[1] == "O")):
                yield Sentence(tuple(words), tuple(tags))
                words, tags = [], []
    if words:
        yield Sentence(tuple(words), tuple(tags))


def iob1_to_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(start, end, label)``, end exclusive, of one sentence's IOB1 tags.

    In IOB1 an entity starts with I- unless it directly follows an entity of the same type; B- only
    separates two adjacent entities of one type. (IOB2 tags, where every entity starts with B-, read
    the same way.)
    """
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for index, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and kind == label
        if start is not None and not continues:
            spans.append((start, index, label))
            start, label = None, None
        if prefix in ("B", "I") and not continues:
            start, label = index, kind
    if start is not None:
        spans.append((start, len(tags), label))
    return spans


def build_document(doc_id: str, sentences: Sequence[Sentence]) -> GoldDocument:
    """The document's text (tokens joined by spaces, sentences by newlines) and its gold character spans."""
    parts: list[str] = []
    spans: list[Span] = []
    offset = 0
    for number, sentence in enumerate(sentences):
        if number:
            parts.append("\n")
            offset += 1
        starts = []
        for index, word in enumerate(sentence.words):
            if index:
                parts.append(" ")
                offset += 1
            starts.append(offset)
            parts.append(word)
            offset += len(word)
        for first, last, label in iob1_to_spans(sentence.tags):
            spans.append(Span(starts[first], starts[last - 1] + len(sentence.words[last - 1]), label))
    return GoldDocument(doc_id=doc_id, text="".join(parts), spans=tuple(spans))


def load_documents(path: Path, *, limit: int | None = None) -> list[GoldDocument]:
    """The gold documents of one CoNLL-2003 split file."""
    return [build_document(f"{path.stem}-{number}", sentences)
            for number, sentences in enumerate(read_conll(path, limit=limit))]


def load_bio_documents(path: Path, *, limit: int | None = None) -> list[GoldDocument]:
    """The gold documents of a Europeana ``word tag`` file, cut as :func:`read_bio` says."""
    return [build_document(f"{path.stem}-{number}", sentences)
            for number, sentences in enumerate(read_bio(path, limit=limit))]


def map_label(spacy_label: str) -> str | None:
    """The CoNLL label of a spaCy label, None for labels CoNLL does not annotate (dates, numbers)."""
    return LABEL_MAP.get(spacy_label)


def project_spans(doc: Doc, article_id: str, language: str = "en") -> tuple[Span, ...]:
    """Every mention of the project's entities (the language's rules), with its entity's (mapped) label."""
    return tuple(sorted(
        {Span(mention.start, mention.end, label)
         for entity in extract_entities(doc, article_id, language)
         for label in [map_label(entity.label)] if label
         for mention in entity.mentions},
        key=lambda span: (span.start, span.end, span.label),
    ))


def spacy_spans(doc: Doc) -> tuple[Span, ...]:
    """spaCy's raw ``doc.ents`` with mapped labels: the baseline."""
    return tuple(Span(ent.start_char, ent.end_char, label)
                 for ent in doc.ents for label in [map_label(ent.label_)] if label)


def predict(texts: Iterable[str], *, model: str, language: str = "en",
            batch_size: int = 16) -> Iterator[dict[str, tuple[Span, ...]]]:
    """For each text in order: the predicted spans of each system."""
    nlp = load_model(model, keep=required_components())
    for number, doc in enumerate(nlp.pipe(texts, batch_size=batch_size)):
        yield {"project": project_spans(doc, f"eval-{number}", language), "spacy": spacy_spans(doc)}


def exact_counts(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Counts]:
    """Per label: a prediction is right when a gold span has the same start, end and label."""
    gold_set, predicted_set = set(gold), set(predicted)
    labels = {span.label for span in gold_set | predicted_set}
    return {
        label: Counts(
            tp=sum(1 for span in predicted_set if span.label == label and span in gold_set),
            fp=sum(1 for span in predicted_set if span.label == label and span not in gold_set),
            fn=sum(1 for span in gold_set if span.label == label and span not in predicted_set),
        )
        for label in labels
    }


def lenient_counts(gold: Iterable[Span], predicted: Iterable[Span]) -> dict[str, Counts]:
    """Per label: a prediction is right when it overlaps a gold span of the same label.

    Matching is one-to-one, the largest overlap first (then the earliest), so one long prediction
    covering two gold names earns one hit, not two.
    """
    gold_set, predicted_set = set(gold), set(predicted)
    pairs = sorted(
        ((overlap(g, p), g, p) for g in gold_set for p in predicted_set if g.label == p.label and overlap(g, p) > 0),
        key=lambda item: (-item[0], item[1].start, item[2].start, item[1].end, item[2].end),
    )
    matched_gold: set[Span] = set()
    matched_predicted: set[Span] = set()
    for _, g, p in pairs:
        if g not in matched_gold and p not in matched_predicted:
            matched_gold.add(g)
            matched_predicted.add(p)
    labels = {span.label for span in gold_set | predicted_set}
    return {
        label: Counts(
            tp=sum(1 for span in matched_predicted if span.label == label),
            fp=sum(1 for span in predicted_set - matched_predicted if span.label == label),
            fn=sum(1 for span in gold_set - matched_gold if span.label == label),
        )
        for label in labels
    }


def overlap(a: Span, b: Span) -> int:
    """Characters the two spans share."""
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def scores(counts: Counts) -> Scores:
    predicted, gold = counts.tp + counts.fp, counts.tp + counts.fn
    precision, recall = ratio(counts.tp, predicted), ratio(counts.tp, gold)
    return Scores(precision=precision, recall=recall, f1=f1(precision, recall), gold=gold, predicted=predicted)


def label_scores(counts: dict[str, Counts]) -> dict[str, Scores]:
    """Scores per CoNLL label, with PER+ORG+LOC micro-averaged (summed counts) as the headline."""
    headline = sum((counts.get(label, Counts()) for label in SCORED), Counts())
    return {
        label: scores(headline if label == HEADLINE else counts.get(label, Counts()))
        for label in REPORTED
    }


def score(documents: Sequence[GoldDocument], predictions: Iterable[dict[str, tuple[Span, ...]]]) -> Results:
    """Scores per (system, match) of the predicted spans of each document, in order."""
    counting = {"exact": exact_counts, "lenient": lenient_counts}
    totals: dict[tuple[str, str], dict[str, Counts]] = {(s, m): {} for s in SYSTEMS for m in MATCHES}
    for document, predicted in zip(documents, predictions):
        for (system, match), total in totals.items():
            for label, counts in counting[match](document.spans, predicted[system]).items():
                total[label] = total.get(label, Counts()) + counts
    return {key: label_scores(total) for key, total in totals.items()}


def evaluate(documents: Sequence[GoldDocument], *, model: str, language: str = "en") -> Results:
    """Run the extraction over the documents and score it."""
    return score(documents, predict((document.text for document in documents), model=model, language=language))


def format_table(results: Results) -> str:
    header = f"{'system':<8} {'match':<8} {'label':<12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}"
    rows = [header, "-" * len(header)]
    for (system, match), by_label in results.items():
        for label, result in by_label.items():
            rows.append(
                f"{system:<8} {match:<8} {label:<12} {result.precision:>6.3f} {result.recall:>6.3f} {result.f1:>6.3f} "
                f"{result.gold:>6} {result.predicted:>6}"
            )
    return "\n".join(rows)


def as_json(results: Results, *, split: str | None, documents: int, model: str, language: str = "en") -> str:
    nested: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for (system, match), by_label in results.items():
        nested.setdefault(system, {})[match] = {
            label: {key: round(value, 4) for key, value in asdict(result).items()} for label, result in by_label.items()
        }
    summary = {"language": language, "split": split, "documents": documents, "model": model, "scores": nested}
    return json.dumps(summary, indent=2)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbeam eval-entities", description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=LANGUAGES, default="en",
                        help="en: CoNLL-2003 (default); fr: Europeana Newspapers' French NER file")
    parser.add_argument("--split", choices=SPLITS, default=None, help="the CoNLL-2003 split (en only; default valid)")
    parser.add_argument("--data", type=Path,
                        help=f"en: folder with CoNLL-2003 {{train,valid,test}}.txt (default: $NEWSBEAM_EVAL_DATA/{CONLL2003}); "
                             f"fr: the enp_FR.bnf.bio file (default: $NEWSBEAM_EVAL_DATA/{EUROPEANA_FR})")
    parser.add_argument("--model", default=None,
                        help=f"spaCy pipeline name or path (default: {MODELS['en']} for en, {MODELS['fr']} for fr)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate only the first N documents")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.language == "fr" and args.split:
        parser.error("--split is for CoNLL-2003 (--language en); the French corpus has no splits")
    split = (args.split or "valid") if args.language == "en" else None
    model = args.model or MODELS[args.language]
    # Each language's corpus: where it is, its name in messages and its reader into gold documents.
    if args.language == "en":
        relative, corpus, load = CONLL2003, "CoNLL-2003", load_documents
    else:
        relative, corpus, load = EUROPEANA_FR, "Europeana Newspapers French", load_bio_documents
    try:
        path = corpus_path(relative, args.data)
    except EvaluationDataMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    path = path / f"{split}.txt" if split else path
    if not path.is_file():
        print(f"error: no {corpus} data at {path}", file=sys.stderr)
        return 2
    try:
        documents = load(path, limit=args.limit)
    except (ValueError, UnicodeDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        results = evaluate(documents, model=model, language=args.language)
    except ModelNotFound as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(as_json(results, split=split, documents=len(documents), model=model, language=args.language))
    else:
        print(f"{corpus}{' ' + split if split else ''}: {len(documents)} documents, model {model}")
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
