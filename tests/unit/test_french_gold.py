"""The French quote gold set (tests/fixtures/french_quotes/gold.jsonl) and its scoring, without the model."""

from __future__ import annotations

import json

import pytest

from pipeline.evaluation.french_quotes import DEFAULT_GOLD, GoldError, article_counts, load_gold, same_speaker
from pipeline.records import Quote, Span


def test_the_set_holds_30_articles_of_150_to_350_words_over_six_topics():
    articles = load_gold()  # checks every offset against the text it names
    records = [json.loads(line) for line in DEFAULT_GOLD.read_text(encoding="utf-8").splitlines()]
    assert len(articles) == 30 and len({article.doc_id for article in articles}) == 30
    assert all(150 <= len(article.text.split()) <= 350 for article in articles)
    assert {record["topic"] for record in records} == {
        "politique", "faits divers", "sport", "économie", "culture", "international"}
    kinds = [quote.kind for article in articles for quote in article.quotes]
    assert len(kinds) == 204 and set(kinds) == {"direct", "indirect"}


def test_every_quote_and_speaker_mention_slices_what_it_says():
    for line in DEFAULT_GOLD.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        text = record["text"]
        for quote in record["quotes"]:
            parts = quote.get("parts", [[quote["start"], quote["end"]]])
            assert " […] ".join(text[start:end] for start, end in parts) == quote["text"]
            # A direct quote's content never holds the guillemets that open or close it, nor their spaces.
            assert quote["type"] == "indirect" or text[parts[0][0]] not in "« \u00a0\u202f" and text[parts[-1][1] - 1] not in "» \u00a0\u202f"
            if "speaker_start" in quote:
                assert text[quote["speaker_start"]:quote["speaker_end"]] == quote["speaker_mention"]


def test_an_offset_that_does_not_hold_its_text_is_refused(tmp_path):
    record = {"id": "x", "text": "« Bonjour », a dit Paul Martin.", "quotes": [
        {"type": "direct", "start": 0, "end": 5, "text": "Bonjour", "speaker": "Paul Martin"}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(GoldError):
        load_gold(path)


@pytest.mark.parametrize(("predicted", "gold", "same"), [
    ("Claire Vasseur", "Claire Vasseur", True),
    ("claire vasseur", "Claire Vasseur", True),  # folded as dataset identities are
    ("Vasseur", "Claire Vasseur", False),  # half a name is not the person resolved
    (None, None, True),  # no one named, no one found
    ("Karim Bensaïd", None, False),
    (None, "Julie Perrot", False),
])
def test_a_resolved_name_is_right_when_it_folds_to_the_gold_name(predicted, gold, same):
    assert same_speaker(predicted, gold) is same


def test_who_said_what_by_name_and_by_mention_differ_on_a_wrongly_resolved_pronoun(tmp_path):
    text = "Julie Perrot est arrivée. « Nous manquons de tout », dit-elle."
    start = text.index("Nous")
    end = text.index(" »")
    she = text.index("elle")
    record = {"id": "x", "text": text, "quotes": [{
        "type": "direct", "start": start, "end": end, "text": text[start:end], "speaker": "Julie Perrot",
        "speaker_start": she, "speaker_end": she + 4, "speaker_mention": "elle"}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (article,) = load_gold(path)
    wrong = Quote("q", "x", text[start:end], "direct", (Span(start, end),), speaker="Karim Bensaïd",
                  speaker_mention="elle", speaker_start=she, speaker_end=she + 4)
    counts = article_counts(article, [wrong])
    assert counts[("direct", 0.8, "mention")].speaker_right == 1  # the mention is the gold one
    assert counts[("direct", 0.8, "name")].speaker_right == 0  # but it names the wrong person
    assert counts[("indirect", 0.8, "name")].gold == 0 and counts[("all", 0.8, "name")].matched == 1
