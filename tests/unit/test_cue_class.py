"""Cue classes (speech, thought, intention, other) and the fragments that are no report.

The classes come from each language's lexicon (``pipeline/nlp/lang``); which complement counts as
reported content depends on the parse, so these tests run the real small English model on
hand-made sentences, as ``test_quotes.py`` does.
"""

from __future__ import annotations

import pytest

from pipeline.nlp.lang import LANGUAGES, lexicon_for
from pipeline.nlp.quotes.cues import OTHER, cue_class

EN = lexicon_for("en")


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_no_lemma_is_in_two_classes(language):
    seen: dict[str, str] = {}
    for name, lemmas in lexicon_for(language).cue_classes.items():
        for lemma in lemmas:
            assert seen.setdefault(lemma, name) == name, (lemma, seen[lemma], name)


@pytest.mark.parametrize(
    ("lemma", "expected"),
    [
        ("say", "speech"),
        ("according to", "speech"),
        ("point out", "speech"),
        ("call for", "speech"),  # listed by its verb
        ("worry about", "thought"),
        ("vote for", OTHER),
        ("no such cue", OTHER),
    ],
)
def test_class_of_a_lemma(lemma, expected):
    assert cue_class(lemma, EN) == expected


# (text, cue lemma, class) of the one quote the text holds
CUES = [
    pytest.param('"We will not back down," Jane Smith said.', "say", "speech", id="direct-say"),
    pytest.param("Jane Smith told reporters the bridge would be rebuilt.", "tell", "speech", id="indirect-tell"),
    pytest.param("According to Jane Smith, the bridge will be rebuilt.", "according to", "speech", id="according-to"),
    pytest.param('Jane Smith was blunt:\n\n"The bridge is old and must be rebuilt."', ":", "speech", id="colon"),
    pytest.param("JANE SMITH: The bridge is old and must be rebuilt.", ":", "speech", id="speaker-label"),
    pytest.param("Readers wrote in.\n“The bridge is old and must be rebuilt.” ― Jane Smith\nThe vote is on Monday.",
                 "—", "speech", id="dash-byline"),
    pytest.param("The Liberal Democrats criticised the plans.", "criticise", "speech", id="stance-said-aloud"),
    pytest.param("Jane Smith believes the bridge is too old to save.", "believe", "thought", id="belief"),
    pytest.param("Many voters feel the tax is unfair.", "feel", "thought", id="feeling"),
    pytest.param("Jane Smith expects the vote to be close.", "expect", "thought", id="expectation"),
    pytest.param("The council plans to rebuild the bridge next year.", "plan", "intention", id="plan"),
    pytest.param("Jane Smith wants to rebuild the bridge.", "want", "intention", id="want"),
    pytest.param("The mayor proposed that the bridge be rebuilt.", "propose", "intention", id="propose-clause"),
    pytest.param("The crowd cheered.\n\n“This is fantastic!” beamed Jane Smith of Madison.", "beam", OTHER,
                 id="action-next-to-a-quotation"),
    pytest.param("The survey found most voters wanted the bridge rebuilt.", "find", OTHER, id="finding"),
]


@pytest.mark.parametrize(("text", "lemma", "expected"), CUES)
def test_cue_class_per_cue(quotes_of_text, text, lemma, expected):
    quotes = quotes_of_text(text)
    assert [(quote.cue, quote.cue_class) for quote in quotes] == [(lemma, expected)]


def test_every_quote_has_a_class(quotes_of_text):
    text = (
        'Jane Smith said the bridge was old. "It must go," she added. Her deputy believes it can be saved, '
        "and the council plans to vote on it. According to the engineers, it is safe."
    )
    quotes = quotes_of_text(text)
    assert len(quotes) >= 3
    assert all(quote.cue_class in EN.cue_classes or quote.cue_class == OTHER for quote in quotes)
    assert all(quote.cue_class == cue_class(quote.cue, EN) for quote in quotes)


# Indirect "quotes" whose content is no report: a stray token the parser made a clause, a date.
FRAGMENTS = [
    pytest.param("Mr Blair has yet to name the day.", id="date-object"),
    pytest.param("The campaign pushed for 2012.", id="year-object"),
    # The parser makes the "m" of "£28.7m" a clause of "said" on its own, and the rest no content.
    pytest.param("The National Audit Office said the Dome cost taxpayers £28.7m to maintain.", id="stray-token-clause"),
]


@pytest.mark.parametrize("text", FRAGMENTS)
def test_fragments_are_not_quotes(quotes_of_text, text):
    assert quotes_of_text(text) == ()


# Real indirect speech next to the fragments above: it stays, with its content.  Stances on a bare
# object stay whatever the cue's class, as PolNeAR annotates them.
REPORTS = [
    pytest.param("Mr Brown proposed that the tax be cut.", "that the tax be cut", id="clause-of-intention"),
    pytest.param("Labour plans to give head teachers more power.", "to give head teachers more power",
                 id="infinitive-of-intention"),
    pytest.param("Jane Smith said the plans should be re-examined.", "the plans should be re-examined",
                 id="stray-token-next-to-a-clause"),
    pytest.param("Jane Smith promised Sunday at a rally to end the waste.", "Sunday at a rally to end the waste",
                 id="date-with-a-complement"),
    pytest.param("The Liberal Democrats welcomed the report.", "the report", id="object-of-speech"),
    pytest.param("The Liberal Democrats oppose the plans.", "the plans", id="object-of-thought"),
    pytest.param("The unions called for a delay.", "a delay", id="call-for"),
    pytest.param("The report said 801 adults were asked.", "801 adults were asked", id="clause-holding-a-number"),
    pytest.param("The survey found most voters wanted the bridge rebuilt.", "most voters wanted the bridge rebuilt",
                 id="clause-of-a-finding"),
    pytest.param("Jane Smith said the day would come.", "the day would come", id="clause-holding-a-date"),
]


@pytest.mark.parametrize(("text", "content"), REPORTS)
def test_reported_speech_stays(quotes_of_text, text, content):
    assert [quote.text for quote in quotes_of_text(text)] == [content]
