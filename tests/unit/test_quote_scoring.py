"""The PolNeAR scoring functions on tiny hand-built cases."""

from __future__ import annotations

import pytest

from pipeline.evaluation.quote_scoring import Attribution, Counts, count, match, overlap, scores, speaker_matches, trim

# Offsets: "We will win" 1-12, she 15-18, said 19-23, He 25-27, the plan failed 33-48.
TEXT = '"We will win," she said. He said the plan failed.'


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        ((0, 14), (1, 12)),  # marks, comma stripped: "We will win"
        ((1, 12), (1, 12)),  # nothing to strip
        ((12, 14), (14, 14)),  # only punctuation: empty
        ((15, 18), (15, 18)),
    ],
)
def test_trim_strips_marks_spaces_and_edge_punctuation(interval, expected):
    assert trim(TEXT, interval) == expected


@pytest.mark.parametrize(
    ("gold", "predicted", "expected"),
    [
        ([(0, 14)], [(1, 12)], 1.0),  # gold with marks, prediction without: the same content
        ([(0, 14)], [(1, 3)], 2 / 11),  # "We" of "We will win"
        ([(0, 14)], [(25, 48)], 0.0),
        ([(0, 14)], [(1, 3), (4, 8)], 6 / 11),  # fragments add up
        ([(0, 14), (33, 49)], [(33, 49)], 15 / 26),  # share of the whole gold content
        ([(12, 14)], [(0, 14)], 0.0),  # gold with nothing left after trimming never matches
    ],
)
def test_overlap_is_share_of_gold_characters_covered(gold, predicted, expected):
    assert overlap(TEXT, gold, predicted) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("predicted", "gold_sources", "expected"),
    [
        ((15, 18), ((15, 18),), True),
        ((15, 17), ((16, 20),), True),  # any overlap counts
        ((25, 27), ((15, 18),), False),
        (None, (), True),  # no source on either side
        (None, ((15, 18),), False),
        ((15, 18), (), False),
        ((15, 15), (), True),  # an empty predicted span counts as no speaker
    ],
)
def test_speaker_matches(predicted, gold_sources, expected):
    assert speaker_matches(predicted, gold_sources) is expected


def _attribution(content, speaker=None, sources=()):
    return Attribution(content=tuple(content), speaker=speaker, gold_sources=tuple(sources))


def test_match_is_one_to_one_best_overlap_first():
    gold = [_attribution([(1, 12)]), _attribution([(1, 7)])]
    # Both predictions cover gold 0 in part; prediction 1 covers gold 1 fully and gold 0 less.
    predicted = [_attribution([(1, 12)]), _attribution([(1, 7)])]
    assert sorted(match(TEXT, gold, predicted, threshold=0.3)) == [(0, 0), (1, 1)]


def test_match_respects_threshold():
    gold = [_attribution([(1, 12)])]
    predicted = [_attribution([(1, 3)])]  # 2/11 of the gold
    assert match(TEXT, gold, predicted, threshold=0.3) == []
    assert match(TEXT, gold, predicted, threshold=0.1) == [(0, 0)]


def test_one_prediction_cannot_match_two_golds():
    gold = [_attribution([(1, 12)]), _attribution([(1, 12)])]
    predicted = [_attribution([(0, 14)])]
    assert len(match(TEXT, gold, predicted, threshold=0.3)) == 1


def test_count_and_scores():
    gold = [
        _attribution([(0, 14)], sources=[(15, 18)]),  # "We will win," — she
        _attribution([(33, 49)], sources=[(25, 27)]),  # the plan failed — He
        _attribution([(25, 33)], sources=[]),
    ]
    predicted = [
        _attribution([(1, 12)], speaker=(15, 18)),  # right content, right speaker
        _attribution([(33, 49)], speaker=(15, 18)),  # right content, wrong speaker
        _attribution([(19, 23)], speaker=(15, 18)),  # "said": matches nothing
        _attribution([(40, 44)], speaker=(25, 27)),  # too little of a gold already matched
    ]
    counts = count(TEXT, gold, predicted, threshold=0.3)
    assert counts == Counts(predicted=4, gold=3, matched=2, speaker_right=1)
    result = scores(counts)
    assert result.precision == pytest.approx(0.5)
    assert result.recall == pytest.approx(2 / 3)
    assert result.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert result.speaker_accuracy == pytest.approx(0.5)
    assert result.who_said_what_f1 == pytest.approx(2 * 0.25 * (1 / 3) / (0.25 + 1 / 3))


def test_scores_of_nothing_are_zero_not_errors():
    result = scores(Counts())
    assert (result.precision, result.recall, result.f1, result.speaker_accuracy, result.who_said_what_f1) == (0, 0, 0, 0, 0)
