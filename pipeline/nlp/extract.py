"""One article's annotation: entities first, then quotes linked to them."""

from __future__ import annotations

from spacy.tokens import Doc

from pipeline.nlp.entities import extract_entities
from pipeline.nlp.lang import DEFAULT_LANGUAGE
from pipeline.nlp.quotes import extract_quotes
from pipeline.records import Annotated, Article

# tok2vec feeds the tagger, parser and ner; the tagger (English) or the morphologizer (French: tags
# and morphology in one) and attribute_ruler give the POS tags the lemmatizer needs; the parser gives
# sentences and the dependency tree; ner gives the entities. A name a pipeline lacks is ignored.
_REQUIRED = ("tok2vec", "tagger", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner")


def required_components() -> tuple[str, ...]:
    """The spaCy components the extraction reads from; the pipeline may disable any other."""
    return _REQUIRED


def annotate_doc(article: Article, doc: Doc, language: str = DEFAULT_LANGUAGE) -> Annotated:
    """Entities and quotes of ``article``, from ``doc`` (the parse of ``article.body`` by the
    pipeline of ``language``), read with that language's rules."""
    entities = extract_entities(doc, article.article_id, language)
    quotes = extract_quotes(doc, entities, article.article_id, language)
    return Annotated(article=article, entities=entities, quotes=quotes)
