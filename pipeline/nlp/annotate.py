"""The NLP stage as a Beam PTransform: spaCy once per article, batched, the model loaded once per worker.

Batching happens after a GroupByKey on a shard key, not with BatchElements: BatchElements emits
from ``finish_bundle``, which the DaskRunner silently drops (docs/architecture.md). Grouping by shard works
the same on every runner, and ``nlp.pipe`` then streams each shard in batches of ``batch_size``.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Callable, Iterable, Iterator, Optional

import apache_beam as beam
from apache_beam.utils.shared import Shared

from pipeline import counters
from pipeline.config import NlpSettings
from pipeline.counters import Count
from pipeline.failures import Reason, make_failure
from pipeline.nlp.language import detect_language, text_sample
from pipeline.records import Annotated, Article, Tally

log = logging.getLogger(__name__)

# What may follow annotation inside the NLP step: a shard's output stream -> another stream.
ShardStep = Callable[[Iterator[Any]], Iterator[Any]]


def model_kwargs(settings: NlpSettings) -> dict[str, Any]:
    """How the stage loads its model: only the components the extraction reads from
    (``required_components()``; the others are removed, never run), minus those ``nlp.disable`` names."""
    from pipeline.nlp.extract import required_components

    return {"disable": sorted(settings.disable), "keep": sorted(required_components())}


def with_language(article: Article) -> Article:
    """``article`` with the language of its text (its declared language is only a hint)."""
    language = detect_language(text_sample(article.title, article.body), declared=article.language)
    return article if language == article.language else replace(article, language=language)


def pipeline_language(language: Optional[str], pipelines: dict[str, str]) -> Optional[str]:
    """Which configured language's pipeline reads an article in ``language``; None: none does.

    Text too short to tell, with nothing declared, goes to the first pipeline listed: a few words
    cost nothing to read and there is no other language to prefer."""
    if language is None:
        return next(iter(pipelines))
    return language if language in pipelines else None


# A file larger than this may hold many articles (a JSON Lines dump, a feed): its articles are
# spread over the shards by id instead of all going to the one shard its file was dealt.
MAX_PLANNED_FILE_BYTES = 1 << 20


def plan_shards(sizes: Sequence[tuple[str, int]], shards: int) -> dict[str, int]:
    """Each input file's shard, dealt largest first to the lightest shard so far, so that every
    shard holds about as many bytes as any other.

    The local multi-process runner deals the shards to its workers in the order their first
    element happens to arrive, which differs from run to run; with shards spread by article id,
    which ones a worker got (and so how much text) differed too: measured on 600 BBC files over 2
    workers, 310 articles against 281 in one run, 293 against 298 in the next. With shards of equal
    weight, any deal is even. Files over :data:`MAX_PLANNED_FILE_BYTES` are left out (see there)."""
    loads = [(0, shard) for shard in range(shards)]
    planned: dict[str, int] = {}
    for origin, size in sorted(sizes, key=lambda item: (-item[1], item[0])):
        if size > MAX_PLANNED_FILE_BYTES:
            continue
        load, shard = heapq.heappop(loads)
        planned[origin] = shard
        heapq.heappush(loads, (load + max(size, 1), shard))
    return planned


def shard_of(element: Any, shards: int, planned: Optional[Mapping[str, int]] = None) -> int:
    """An article's shard: its file's planned shard (:func:`plan_shards`), else one by its id."""
    if isinstance(element, Article):
        if planned and element.origin in planned:
            return planned[element.origin]
        return int(element.article_id[:8], 16) % shards
    return 0  # failures and tallies only pass through; where they go does not matter


def annotate_articles(nlp: Any, articles: Iterable[Article], *, batch_size: int, language: str = "en") -> Iterator[Any]:
    """Run ``nlp.pipe`` (the pipeline of ``language``) over articles and yield Annotated, read with
    that language's rules, or a Failure for an article that breaks it."""
    from pipeline.nlp.extract import annotate_doc

    pending = list(articles)
    try:
        docs = nlp.pipe((article.body for article in pending), batch_size=batch_size)
        for article, doc in zip(pending, docs):
            yield _annotate_one(annotate_doc, article, doc, language)
    except Exception:  # one bad text must not cost its batch: retry the batch one by one
        log.warning("nlp.pipe failed on a batch of %d; retrying article by article", len(pending))
        for article in pending:
            try:
                yield _annotate_one(annotate_doc, article, nlp(article.body), language)
            except Exception as error:  # noqa: BLE001 - any NLP error becomes a failures row
                yield make_failure(
                    "nlp", Reason.NLP_ERROR, article.origin, f"{type(error).__name__}: {error}",
                    locator=article.article_id,
                )


def _annotate_one(annotate_doc: Any, article: Article, doc: Any, language: str) -> Any:
    try:
        return annotate_doc(article, doc, language)
    except Exception as error:  # noqa: BLE001 - extraction bugs cost an article its rows, never the job
        return make_failure(
            "nlp", Reason.NLP_ERROR, article.origin, f"{type(error).__name__}: {error}",
            locator=article.article_id,
        )


class _AnnotateShardFn(beam.DoFn):
    """Thin adapter: load each language's model once per process, annotate the articles of one shard."""

    _shared_models = Shared()

    def __init__(self, settings: NlpSettings, then: Optional[ShardStep] = None):
        self._settings = settings
        self._then = then
        self._models: dict[str, Any] = {}

    def _model(self, language: str) -> Any:
        """The language's model, acquired on its first article rather than in ``setup()``: a worker that
        meets no article (a run where everything is already stored, a shard of only tallies) never
        imports spaCy nor loads a model, which is most of such a run's cost."""
        if language not in self._models:
            from pipeline.nlp.model import load_model

            model, kwargs = self._settings.pipelines[language], model_kwargs(self._settings)

            class _ModelHolder:  # Shared needs a weak-referenceable object
                def __init__(self) -> None:
                    self.nlp = load_model(model, **kwargs)

            key = f"{model}|{','.join(kwargs['disable'])}|{','.join(kwargs['keep'])}"
            self._models[language] = self._shared_models.acquire(_ModelHolder, tag=key).nlp
        return self._models[language]

    def process(self, shard: tuple[int, Iterable[Any]]) -> Iterator[Any]:
        _, elements = shard
        outputs = self._annotate_shard(elements)
        return self._then(outputs) if self._then is not None else outputs

    def _annotate_shard(self, elements: Iterable[Any]) -> Iterator[Any]:
        chunk_size = self._settings.batch_size * 4
        chunks: dict[str, list[Article]] = {}
        not_annotated: Counter[str] = Counter()
        started = time.monotonic()
        count = 0
        # Stream the shard in chunks rather than collecting it: memory stays flat however large it is.
        for element in elements:
            if not isinstance(element, Article):
                yield element  # failures, tallies and tombstones pass through untouched
                continue
            article = with_language(element)
            language = pipeline_language(article.language, self._settings.pipelines)
            if language is None:  # stored as it is: no other language's rules read it
                not_annotated[article.language or "unknown"] += 1
                yield Annotated(article=article, entities=(), quotes=())
                continue
            chunk = chunks.setdefault(language, [])
            chunk.append(article)
            if len(chunk) >= chunk_size:
                count += yield from self._annotate_chunk(language, chunk)
                chunks[language] = []
                log.info("annotated %d articles (%.1f/s)", count, count / max(time.monotonic() - started, 1e-9))
        for language, chunk in chunks.items():
            if chunk:
                count += yield from self._annotate_chunk(language, chunk)
        if count:
            yield Tally(Count.ARTICLES_ANNOTATED, count)
        for language, articles in sorted(not_annotated.items()):
            yield Tally(counters.not_annotated(language), articles)

    def _annotate_chunk(self, language: str, chunk: list[Article]) -> Iterator[Any]:
        annotated = 0
        model = self._model(language)
        for result in annotate_articles(model, chunk, batch_size=self._settings.batch_size, language=language):
            annotated += isinstance(result, Annotated)
            yield result
        return annotated


class Annotate(beam.PTransform):
    """Article -> Annotated (entities and quotes); every other element passes through. With
    ``then``, each shard's output goes through it first (``pipeline.stages.shard_rows``: its rows)."""

    def __init__(self, settings: NlpSettings, file_sizes: Sequence[tuple[str, int]] = (), *, then: Optional[ShardStep] = None):
        """``file_sizes``: (path, bytes) of the input files, to deal them evenly over the shards.
        ``then``: applied to each shard's whole output in the same step, for what must see a shard
        at a time rather than an element (the pipeline batches each shard's rows with it)."""
        super().__init__()
        self._settings = settings
        self._then = then
        self._planned = plan_shards(file_sizes, settings.shards)

    def expand(self, elements: beam.PCollection) -> beam.PCollection:
        shards, planned = self._settings.shards, self._planned
        return (
            elements
            | "KeyByShard" >> beam.Map(lambda element: (shard_of(element, shards, planned), element))
            | "GroupShards" >> beam.GroupByKey()
            | "AnnotateShards" >> beam.ParDo(_AnnotateShardFn(self._settings, self._then))
        )
