"""The entity evaluation: IOB1 spans, rebuilt text, scoring and the command, on a tiny hand-made CoNLL
file and a tiny hand-written French file in Europeana Newspapers' word-tag layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluation.corpora import EUROPEANA_FR, FRENCH_MODEL, corpus_path
from pipeline.evaluation.entities import (
    DEFAULT_MODEL,
    HEADLINE,
    Sentence,
    Span,
    build_document,
    iob1_to_spans,
    lenient_counts,
    load_bio_documents,
    load_documents,
    main,
    map_label,
    predict,
    read_bio,
    read_conll,
    score,
)

# Two documents, IOB1 as in CoNLL-2003. The first parses cleanly with the shipped model: its PER,
# ORG and LOC are all found, and the project's cleaning drops the "The" that spaCy keeps in
# "The United Nations" (and the "Mr." in front of John Brown that NER already leaves out).
CONLL = """\
-DOCSTART- -X- -X- O

Jane NNP B-NP I-PER
Smith NNP I-NP I-PER
visited VBD B-VP O
Paris NNP B-NP I-LOC
on IN B-PP O
Monday NNP B-NP O
. . O O

The DT B-NP O
United NNP I-NP I-ORG
Nations NNP I-NP I-ORG
said VBD B-VP O
Mr. NNP B-NP O
John NNP I-NP I-PER
Brown NNP I-NP I-PER
would MD B-VP O
meet VB I-VP O
Germany NNP B-NP I-LOC
's POS B-NP O
chancellor NN I-NP O
in IN B-PP O
Berlin NNP B-NP I-LOC
. . O O

-DOCSTART- -X- -X- O

Barack NNP B-NP I-PER
Obama NNP I-NP I-PER
flew VBD B-VP O
to TO B-PP O
London NNP B-NP I-LOC
with IN B-PP O
Angela NNP B-NP I-PER
Merkel NNP I-NP I-PER
and CC O O
German JJ B-NP I-MISC
officials NNS I-NP O
. . O O
"""
FIRST_TEXT = (
    "Jane Smith visited Paris on Monday .\n"
    "The United Nations said Mr. John Brown would meet Germany 's chancellor in Berlin ."
)


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    (tmp_path / "valid.txt").write_text(CONLL, encoding="utf-8")
    return tmp_path


# --- IOB1 -----------------------------------------------------------------------------------------

def test_iob1_entities_start_with_i():
    assert iob1_to_spans(["I-PER", "I-PER", "O", "I-LOC", "O"]) == [(0, 2, "PER"), (3, 4, "LOC")]


def test_iob1_b_separates_two_adjacent_entities_of_one_type():
    # "... gave [Japan] [China] ..." is I-LOC B-LOC in IOB1.
    assert iob1_to_spans(["I-LOC", "B-LOC", "I-LOC", "O"]) == [(0, 1, "LOC"), (1, 3, "LOC")]


def test_iob1_i_after_o_starts_an_entity():
    assert iob1_to_spans(["O", "I-ORG"]) == [(1, 2, "ORG")]


def test_iob1_a_change_of_type_starts_an_entity_without_b():
    assert iob1_to_spans(["I-MISC", "I-PER", "I-PER"]) == [(0, 1, "MISC"), (1, 3, "PER")]


def test_iob2_reads_the_same():
    assert iob1_to_spans(["B-PER", "I-PER", "B-PER", "O", "B-LOC"]) == [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")]


# --- reading and rebuilding -------------------------------------------------------------------------

def test_read_conll_splits_documents_and_sentences(corpus):
    documents = read_conll(corpus / "valid.txt")
    assert [len(document) for document in documents] == [2, 1]
    assert documents[0][0].words[:2] == ("Jane", "Smith")
    assert documents[0][0].tags[:2] == ("I-PER", "I-PER")
    assert len(read_conll(corpus / "valid.txt", limit=1)) == 1


def test_rebuilt_text_keeps_every_gold_span_on_its_tokens(corpus):
    first, second = load_documents(corpus / "valid.txt")
    assert first.text == FIRST_TEXT
    assert [(first.text[span.start:span.end], span.label) for span in first.spans] == [
        ("Jane Smith", "PER"), ("Paris", "LOC"), ("United Nations", "ORG"), ("John Brown", "PER"),
        ("Germany", "LOC"), ("Berlin", "LOC"),
    ]
    assert [second.text[span.start:span.end] for span in second.spans] == ["Barack Obama", "London", "Angela Merkel", "German"]


def test_adjacent_entities_keep_their_own_offsets():
    document = build_document("d", [Sentence(("Japan", "China", "draw"), ("I-LOC", "B-LOC", "O"))])
    assert document.text == "Japan China draw"
    assert document.spans == (Span(0, 5, "LOC"), Span(6, 11, "LOC"))


def test_label_mapping():
    assert [map_label(label) for label in ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "LAW", "DATE")] == [
        "PER", "ORG", "LOC", "LOC", "LOC", "MISC", "MISC", None,
    ]


# --- scoring --------------------------------------------------------------------------------------

def test_a_perfect_prediction_scores_one(corpus):
    documents = load_documents(corpus / "valid.txt")
    perfect = [{"project": document.spans, "spacy": document.spans} for document in documents]
    for by_label in score(documents, perfect).values():
        for label in ("PER", "ORG", "LOC", HEADLINE, "MISC"):
            assert (by_label[label].precision, by_label[label].recall, by_label[label].f1) == (1.0, 1.0, 1.0)


def test_known_misses_give_the_expected_precision_and_recall(corpus):
    first, second = load_documents(corpus / "valid.txt")
    jane, paris, un, brown, germany, berlin = first.spans
    predicted_first = (
        jane,
        Span(paris.start, paris.end, "ORG"),  # right span, wrong label: a false ORG and a missed LOC
        Span(un.start - 4, un.end, "ORG"),  # "The United Nations": wrong span, but it overlaps
        brown, germany, berlin,
        Span(0, 4, "PER"),  # "Jane": overlaps a gold PER that is already matched
    )
    predictions = [{"project": predicted_first, "spacy": first.spans}, {"project": second.spans, "spacy": ()}]
    results = score([first, second], predictions)

    exact = results[("project", "exact")]
    # PER+ORG+LOC: 9 gold; 7 predicted in doc 1 (4 right) + 3 right in doc 2 -> 7 of 10 predicted, 7 of 9 gold.
    assert exact[HEADLINE].precision == pytest.approx(7 / 10)
    assert exact[HEADLINE].recall == pytest.approx(7 / 9)
    assert (exact["ORG"].precision, exact["ORG"].recall) == (0.0, 0.0)
    assert exact["LOC"].recall == pytest.approx(3 / 4) and exact["LOC"].precision == 1.0
    assert exact["MISC"].f1 == 1.0

    lenient = results[("project", "lenient")]
    # "The United Nations" now counts; the lone "Jane" does not (one-to-one).
    assert lenient[HEADLINE].precision == pytest.approx(8 / 10)
    assert lenient[HEADLINE].recall == pytest.approx(8 / 9)
    assert (lenient["ORG"].precision, lenient["ORG"].recall) == (0.5, 1.0)

    baseline = results[("spacy", "exact")]
    assert baseline[HEADLINE].precision == 1.0 and baseline[HEADLINE].recall == pytest.approx(6 / 9)
    assert baseline["MISC"].recall == 0.0


def test_lenient_matching_is_one_to_one():
    gold = [Span(0, 5, "LOC"), Span(6, 11, "LOC")]
    counts = lenient_counts(gold, [Span(0, 11, "LOC")])  # one prediction over two gold names
    assert counts["LOC"].tp == 1 and counts["LOC"].fp == 0 and counts["LOC"].fn == 1


# --- the shipped model and the command --------------------------------------------------------------

def test_the_project_drops_the_article_that_raw_spacy_keeps(corpus):
    first = load_documents(corpus / "valid.txt")[0]
    (predicted,) = predict([first.text], model=DEFAULT_MODEL)
    assert predicted["project"] == tuple(span for span in first.spans)
    assert "The United Nations" in [first.text[span.start:span.end] for span in predicted["spacy"]]


def test_the_cli_hands_its_options_to_the_evaluation(corpus, capsys):
    from pipeline.cli import main as cli_main

    assert cli_main(["eval-entities", "--data", str(corpus), "--split", "valid", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["split"], summary["documents"], summary["model"]) == ("valid", 2, DEFAULT_MODEL)
    project, spacy = summary["scores"]["project"], summary["scores"]["spacy"]
    assert project["exact"][HEADLINE]["f1"] == 1.0 and project["exact"][HEADLINE]["gold"] == 9
    assert spacy["exact"][HEADLINE]["precision"] == round(8 / 9, 4)  # "The United Nations" misses
    assert spacy["lenient"][HEADLINE]["f1"] == 1.0


def test_table_output(corpus, capsys):
    assert main(["--data", str(corpus), "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "CoNLL-2003 valid: 1 documents" in out and "PER+ORG+LOC" in out and "lenient" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--split", "test"], "no CoNLL-2003 data"), (["--model", "no_such_model_xyz"], "not installed")],
)
def test_errors_are_one_line_and_exit_2(corpus, capsys, args, message):
    assert main(["--data", str(corpus), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_malformed_line_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "valid.txt").write_text("-DOCSTART- -X- -X- O\n\nJane\n", encoding="utf-8")
    assert main(["--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "valid.txt:3" in err and err.count("\n") == 1


# --- the real data ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def conll_dir(shared_dir: Path) -> Path:
    path = shared_dir / "eval" / "conll2003" / "data" / "conll2003"
    if not (path / "valid.txt").is_file():
        pytest.skip(f"CoNLL-2003 not found at {path}")
    return path


def test_the_real_valid_split_has_the_published_entity_counts(conll_dir):
    documents = load_documents(conll_dir / "valid.txt")
    labels = [span.label for document in documents for span in document.spans]
    assert len(documents) == 216
    assert {label: labels.count(label) for label in ("PER", "LOC", "ORG", "MISC")} == {
        "PER": 1842, "LOC": 1837, "ORG": 1341, "MISC": 922,
    }
    assert all(" " not in document.text[span.start] + document.text[span.end - 1]
               for document in documents for span in document.spans)


# Quality gate (about 25 s): the project's entities on CoNLL-2003 valid must not fall below floors
# pinned about 0.01 under what they measured (docs/entities.md); raise them when the extraction
# improves, never lower them to let a regression through.
FLOORS = {  # (match, label) -> F1 floor
    ("exact", HEADLINE): 0.699,  # measured 0.709 (0.696 before table rows were cut out of names)
    ("lenient", HEADLINE): 0.729,  # measured 0.739
    ("exact", "MISC"): 0.679,  # measured 0.689
}


@pytest.fixture(scope="module")
def valid_results(conll_dir: Path):
    documents = load_documents(conll_dir / "valid.txt")
    return score(documents, predict((document.text for document in documents), model=DEFAULT_MODEL))


@pytest.mark.slow
@pytest.mark.parametrize(("key", "floor"), FLOORS.items(), ids=lambda value: str(value))
def test_valid_scores_stay_above_the_floors(valid_results, key, floor):
    match, label = key
    result = valid_results[("project", match)][label]
    assert result.f1 >= floor, result


# --- French: Europeana Newspapers' word-tag files -------------------------------------------------

# Written for these tests in the layout of enp_FR.bnf.bio: one "word tag" per line, IOB1, no blank
# lines, no document marks. A "." inside a name (an OCR cut, "Di . nard") does not end a sentence;
# a "." or "!" tagged O does. Two adjacent persons are told apart by B-, as in CoNLL-2003.
BIO = """\
M. O
Briand I-PER
est O
arrivé O
hier O
à O
Di I-LOC
. I-LOC
nard I-LOC
. O
Le O
Petit I-ORG
Parisien I-ORG
annonce O
que O
Mme O
Marie I-PER
Curie I-PER
a O
quitté O
Paris I-LOC
pour O
Saint-Malo I-LOC
! O
Il O
a O
vu O
Pierre I-PER
Jean B-PER
Durand I-PER
"""
BIO_SENTENCES = (
    "M. Briand est arrivé hier à Di . nard .",
    "Le Petit Parisien annonce que Mme Marie Curie a quitté Paris pour Saint-Malo !",
    "Il a vu Pierre Jean Durand",
)


@pytest.fixture()
def bio_file(tmp_path: Path) -> Path:
    path = tmp_path / "enp_FR.test.bio"
    path.write_text(BIO, encoding="utf-8")
    return path


def test_read_bio_ends_sentences_at_end_marks_outside_names(bio_file):
    (document,) = read_bio(bio_file)
    assert [" ".join(sentence.words) for sentence in document] == list(BIO_SENTENCES)
    assert document[0].tags[6:9] == ("I-LOC", "I-LOC", "I-LOC")


def test_read_bio_groups_consecutive_sentences_into_documents(bio_file):
    assert [len(document) for document in read_bio(bio_file, sentences_per_document=2)] == [2, 1]
    assert [len(document) for document in read_bio(bio_file, sentences_per_document=1, limit=2)] == [1, 1]
    assert read_bio(bio_file, sentences_per_document=1, limit=2)[1][0].words[:3] == ("Le", "Petit", "Parisien")


def test_a_blank_line_also_ends_a_sentence(tmp_path):
    path = tmp_path / "cleaned.bio"
    path.write_text("Jaurès I-PER\nparle O\n\nPuis O\nil O\n", encoding="utf-8")
    (document,) = read_bio(path)
    assert [sentence.words for sentence in document] == [("Jaurès", "parle"), ("Puis", "il")]


def test_bio_documents_keep_every_gold_span_on_its_tokens(bio_file):
    (document,) = load_bio_documents(bio_file)
    assert document.doc_id == "enp_FR.test-0"
    assert document.text == "\n".join(BIO_SENTENCES)
    assert [(document.text[span.start:span.end], span.label) for span in document.spans] == [
        ("Briand", "PER"), ("Di . nard", "LOC"), ("Petit Parisien", "ORG"), ("Marie Curie", "PER"),
        ("Paris", "LOC"), ("Saint-Malo", "LOC"), ("Pierre", "PER"), ("Jean Durand", "PER"),
    ]


@pytest.mark.parametrize("line", ["Briand I-PER extra", "Briand PER", "Briand"])
def test_a_malformed_bio_line_is_an_error_with_its_place(tmp_path, line):
    path = tmp_path / "bad.bio"
    path.write_text(f"M. O\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.bio:2"):
        read_bio(path)


def test_french_labels_are_conll_labels():
    # fr_core_news_sm's raw labels, and the project's French labels (pipeline/nlp/lang/fr.py: PERSON, ORG, GPE).
    assert [map_label(label) for label in ("PER", "ORG", "LOC", "MISC", "PERSON", "GPE")] == [
        "PER", "ORG", "LOC", "MISC", "PER", "LOC",
    ]


def test_the_cli_scores_french_with_the_french_model_and_rules(bio_file, capsys):
    from pipeline.cli import main as cli_main

    assert cli_main(["eval-entities", "--language", "fr", "--data", str(bio_file), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["language"], summary["split"], summary["documents"], summary["model"]) == (
        "fr", None, 1, FRENCH_MODEL)
    project = summary["scores"]["project"]
    assert project["exact"][HEADLINE]["gold"] == 8 and project["exact"]["MISC"]["predicted"] == 0
    # The French rules find "Briand" without the "M." before him, as the corpus marks it.
    (document,) = load_bio_documents(bio_file)
    (predicted,) = predict([document.text], model=FRENCH_MODEL, language="fr")
    assert Span(3, 9, "PER") in predicted["project"]


def test_french_errors_exit_2(bio_file, tmp_path, capsys):
    assert main(["--language", "fr", "--data", str(tmp_path / "missing.bio")]) == 2
    assert "no Europeana Newspapers French data" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stop:
        main(["--language", "fr", "--data", str(bio_file), "--split", "test"])
    assert stop.value.code == 2


# Quality gate on the real French corpus (about 80 s): github.com/EuropeanaNewspapers/ner-corpora's
# enp_FR.bnf.bio (CC0), at $NEWSBEAM_EVAL_DATA/ner-corpora/enp_FR.bnf.bio/enp_FR.bnf.bio. The corpus
# is not in ../shared/eval, so in CI (and wherever no one put it there) this test skips. Floors are
# about 0.01 under the measured scores of docs/languages.md.
FRENCH_FLOORS = {
    ("exact", HEADLINE): 0.448,  # measured 0.458
    ("lenient", HEADLINE): 0.539,  # measured 0.549
}


@pytest.fixture(scope="module")
def french_results():
    path = corpus_path(EUROPEANA_FR)
    if not path.is_file():
        pytest.skip(f"Europeana Newspapers French NER not found at {path}")
    documents = load_bio_documents(path)
    return score(documents, predict((document.text for document in documents), model=FRENCH_MODEL, language="fr"))


@pytest.mark.slow
@pytest.mark.parametrize(("key", "floor"), FRENCH_FLOORS.items(), ids=lambda value: str(value))
def test_french_scores_stay_above_the_floors(french_results, key, floor):
    match, label = key
    result = french_results[("project", match)][label]
    assert result.f1 >= floor, result
