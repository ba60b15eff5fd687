"""English: the lexicon of the rules as first written for PolNeAR and the BBC (spaCy's English
dependency labels, ClearNLP style).  The verb lists were drawn from PolNeAR's train split
(Newell et al. 2018); see pipeline/nlp/quotes/cues.py for what each list is for."""

from __future__ import annotations

from types import MappingProxyType

from pipeline.nlp.lang import DepLabels, Lexicon

SPEECH_VERBS = frozenset(
    """
    say tell note add conclude explain state claim argue warn insist stress emphasize emphasise
    announce declare suggest acknowledge admit confirm deny ask reply respond answer recall remark
    observe comment predict agree complain tweet post assert maintain contend allege caution urge
    vow promise pledge reveal disclose indicate mention concede confess boast joke quip testify
    report write reiterate underline underscore highlight signal hint speculate estimate forecast
    recount counter retort charge accuse criticize criticise blast slam praise describe question
    wonder lament advise assure concur point continue proclaim propose recommend demand threaten
    tout brag grumble mutter whisper shout yell scream cry exclaim sigh laugh chuckle muse reason
    surmise guess believe think feel hope fear worry expect know learn find show decide doubt imply
    reckon calculate determine judge rule order instruct inform remind notify brief reassure
    convince persuade recognize understand read chant repeat echo quote bark interject bemoan decry
    """.split()
)
OBJECT_VERBS = frozenset(
    """
    call ask show support want discuss mention tweet criticize criticise endorse confirm offer accuse
    praise back express name describe defend cite promise recall thank prefer question charge attack
    oppose applaud denounce congratulate tout mock remind highlight share dismiss list demand
    remember reject propose blame encourage echo cheer boo announce condemn slam blast decry
    deny welcome hail fault chide label dub brand predict urge
    """.split()
)
INFINITIVE_VERBS = frozenset(
    """
    want refuse pledge vow urge expect seek decide hope promise intend threaten demand ask continue
    agree offer decline plan vote call encourage
    """.split()
)
PREPOSITION_CUES = frozenset(
    {
        ("call", "for"), ("vote", "for"), ("argue", "for"), ("apologize", "for"), ("push", "for"),
        ("cheer", "for"), ("advocate", "for"), ("speak", "about"), ("talk", "about"), ("joke", "about"),
        ("worry", "about"), ("complain", "about"), ("write", "about"), ("ask", "about"), ("open", "about"),
        ("focus", "on"), ("comment", "on"), ("weigh", "on"), ("call", "on"), ("campaign", "against"),
        ("rail", "against"), ("vote", "against"), ("speak", "against"), ("warn", "against"),
        ("refer", "to"), ("respond", "to"), ("point", "to"), ("object", "to"), ("speak", "of"),
        ("warn", "of"), ("accuse", "of"), ("assure", "of"), ("agree", "with"), ("side", "with"),
    }
)
PARTICLE_CUES = MappingProxyType({("point", "out"): "point out", ("lay", "out"): "lay out", ("spell", "out"): "spell out"})
ACCORDING_TO = MappingProxyType({("according", "to"): "according to"})
CUE_CLASSES = MappingProxyType({
    "speech": frozenset(
        """
        say tell note add conclude explain state claim argue warn insist stress emphasize emphasise
        announce declare suggest acknowledge admit confirm deny ask reply respond answer recall
        remark observe comment predict agree complain tweet post assert maintain contend allege
        caution urge vow promise pledge reveal disclose indicate mention concede confess boast joke
        quip testify report write reiterate underline underscore highlight signal hint speculate
        estimate forecast recount counter retort charge accuse criticize criticise blast slam praise
        describe question lament advise assure concur proclaim recommend demand threaten tout brag
        grumble mutter whisper shout yell scream cry exclaim sigh laugh chuckle muse chant repeat
        echo quote bark interject bemoan decry rule order instruct inform remind notify brief
        reassure convince persuade call discuss cite thank attack denounce congratulate mock dismiss
        list reject blame encourage cheer boo condemn welcome hail fault chide label dub brand
        express defend apologize apologise speak talk rail object refer point offer decline coin
        liken implore confide outline unveil read
        """.split()
    )
    | {*ACCORDING_TO.values(), *PARTICLE_CUES.values()},
    "thought": frozenset(
        """
        believe think feel hope fear worry expect know learn doubt reckon surmise guess wonder
        understand recognize recognise suspect consider support back oppose prefer favour favor
        endorse remember imagine assume
        """.split()
    ),
    "intention": frozenset("want plan propose intend seek aim decide refuse wish mean".split()),
})

PERSON_PRONOUNS = frozenset({"he", "him", "she", "her"})
GROUP_PRONOUNS = frozenset({"they", "them", "we", "us"})
ROLE_NOUNS = frozenset(
    """
    minister diplomat president senator governor official spokesman spokeswoman spokesperson candidate
    lawmaker mayor chief leader director secretary chairman chairwoman chair ambassador general
    commander prosecutor judge lawyer attorney congressman congresswoman representative businessman
    businesswoman billionaire nominee frontrunner front-runner rival opponent host anchor reporter
    founder executive economist analyst expert professor author actor actress star singer king queen
    prince princess pope premier chancellor envoy negotiator activist adviser advisor aide strategist
    manager coach officer sheriff commissioner mogul tycoon politician statesman incumbent challenger
    hopeful veteran man woman senior owner head counsel investigator researcher scientist doctor
    """.split()
)
PERSONAL_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "lady", "baroness", "baron", "rev", "prof"})

LEXICON = Lexicon(
    code="en",
    deps=DepLabels(
        subject=frozenset({"nsubj"}),
        passive_subject=frozenset({"nsubjpass"}),
        clause="ccomp",
        object="dobj",
        open_clause="xcomp",
        preposition="prep",
        prepositional_object="pobj",
        prepositional_clause="pcomp",
        particle="prt",
        relative_clause=frozenset({"relcl"}),
        parataxis="parataxis",
        conjunct="conj",
        coordinator="cc",
        apposition="appos",
        agent="agent",
        passive_auxiliary="auxpass",
        possessive="poss",
        determiner="det",
        subject_climb=frozenset({"xcomp", "conj", "advcl", "acomp"}),
        name_parts=frozenset(),
        loose_apposition=frozenset(),
        naming=frozenset({"appos", "compound", "flat", "punct"}),
        clause_like=frozenset({"relcl", "acl", "advcl", "punct", "cc", "conj"}),
        inverted_speaker=frozenset({"nsubj", "dobj", "attr", "npadvmod", "dative", "oprd", "appos"}),
        fragment_subject=frozenset({"nsubj", "nsubjpass", "csubj", "expl"}),
        object_complements=frozenset({"oprd", "xcomp", "ccomp", "prep", "advcl"}),
    ),
    speech_verbs=SPEECH_VERBS,
    object_verbs=OBJECT_VERBS,
    infinitive_verbs=INFINITIVE_VERBS,
    preposition_cues=PREPOSITION_CUES,
    particle_cues=PARTICLE_CUES,
    cue_forms=MappingProxyType({}),
    according_to=ACCORDING_TO,
    cue_classes=CUE_CLASSES,
    copula="be",
    person_pronouns=PERSON_PRONOUNS,
    group_pronouns=GROUP_PRONOUNS,
    first_and_second_person=frozenset({"i", "me", "we", "us", "you"}),
    pronouns=frozenset(
        """
        i me my we us our you your he him his she her it its they them their who whom whose which that this
        these those one someone somebody everyone everybody anyone nobody
        """.split()
    ),
    gender_of_pronoun=MappingProxyType({"he": "m", "him": "m", "she": "f", "her": "f"}),
    object_clitics=frozenset(),
    gender_words=MappingProxyType({
        **dict.fromkeys("mr mr. sir lord king prince father brother spokesman chairman congressman businessman man "
                        "actor statesman".split(), "m"),
        **dict.fromkeys("mrs mrs. ms ms. miss lady baroness dame queen princess mother sister spokeswoman chairwoman "
                        "congresswoman businesswoman woman actress".split(), "f"),
    }),
    proxy_nouns=frozenset(
        "spokesman spokeswoman spokesperson aide adviser advisor correspondent reporter official source lawyer "
        "attorney counsel".split()
    ),
    role_nouns=ROLE_NOUNS,
    # Roles that describe one person once a speaker is found (not role nouns, which also decide who
    # may be a speaker at all: "Women MPs endure ..." is no source).
    person_nouns=ROLE_NOUNS | {"mp", "correspondent", "editor"},
    group_nouns=frozenset(
        """
        people voter supporter critic official protester protestor democrat republican resident fan member
        source leader observer analyst expert lawmaker activist group campaign team administration
        government committee party organization agency company newspaper network poll survey report study
        statement ad website magazine paper station channel court council senate house audience crowd
        """.split()
    ),
    identifying_prepositions=frozenset({"for", "of", "at", "from", "with"}),
    indefinite_determiners=frozenset({"a", "an", "another", "some"}),
    source_pronouns=PERSON_PRONOUNS | GROUP_PRONOUNS | {"i", "you", "who"},
    title_joiners=frozenset({"of"}),
    relative_tags=frozenset({"WP", "WDT"}),
    relative_words=frozenset(),
    plural_tags=frozenset({"NNS", "NNPS"}),
    plural_by_morph=False,
    sentences_by_line=False,
    clitic_subjects=False,
    contracted_has=frozenset({"'s", "’s"}),
    closing_marks="”\"'»’",
    guillemets_outside=False,
    inline_spaces=" \t\u00a0",
    title_small_words=frozenset({"a", "an", "the", "of", "and", "or", "in", "on", "to", "for", "with", "at", "by", "is"}),
    inverted_cues=False,
    time_words=frozenset(),
    dialogue_dashes="",
    section_labels=frozenset(
        """
        update updated note editor editors correction clarification photo photos video watch read related see
        source sources more also listen subscribe follow share advertisement disclaimer warning breaking
        exclusive live latest analysis opinion commentary background context summary transcript caption
        credit image graphic chart map timeline ps p.s
        """.split()
    ),
    # Entities answer who/what/where; numeric labels (dates, amounts) are not entities of the dataset.
    entity_labels=MappingProxyType({
        label: label
        for label in ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE")
    }),
    leading_article=r"^(?:the|The|THE)\s+",
    # "Miss" is left out: it also begins contests and shows ("Miss World").
    personal_titles=PERSONAL_TITLES,
    # Offices ("President", "General") are stripped only from PERSON spans: they also begin names of
    # organisations ("General Motors", "Justice Department").
    person_titles=PERSONAL_TITLES | frozenset(
        {"miss", "president", "sen", "senator", "rep", "gov", "governor", "secretary", "minister", "prime", "gen",
         "general", "judge", "justice", "mayor"}
    ),
    name_particles=frozenset({"de", "da", "di", "du", "del", "della", "van", "von", "der", "den", "le", "la", "al", "bin"}),
    # NER, trained on US text, reads the British parties as people.
    party_names=frozenset(
        {"labour", "conservatives", "tories", "lib dems", "lib dem", "liberal democrats", "ukip", "snp", "plaid cymru",
         "sinn fein", "dup", "democrats", "republicans"}
    ),
    titles_before_name=frozenset(),
    role_not_name=frozenset(),
)
