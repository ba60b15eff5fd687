"""The reporting-cue lexicon: which words introduce what someone said, wrote, thought or wanted.

Next to a quotation in marks almost any verb of saying is a cue ("...," he laughed).  Without
marks a verb counts only with a complement of the kind it takes as reported content:

- a clause (``ccomp``): "X said (that) ...", "X believes ...";
- an object (``dobj``, with what follows it): "X criticized the plan", "X called Trump crazy";
- an infinitive (``xcomp``): "X vowed to ...", "X refused to ...";
- a preposition's object, for the verb+preposition pairs listed: "X called for ...".

The verb lists were drawn from PolNeAR's train split (Newell et al. 2018), whose attributions
include stances and requests as well as speech: a verb is listed when, used with a subject in
running text, it is an annotated cue often enough to help precision rather than hurt it.
"""

from __future__ import annotations

from spacy.tokens import Token

# Verbs of saying and of stated belief: cues with a clausal complement, and next to quotations.
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
# Verbs whose direct object is the attributed content ("X criticized the plan").
OBJECT_VERBS = frozenset(
    """
    call ask show support want discuss mention tweet criticize criticise endorse confirm offer accuse
    praise back express name describe defend cite promise recall thank prefer question charge attack
    oppose applaud denounce congratulate tout mock remind highlight share dismiss list demand
    remember reject propose blame encourage echo cheer boo announce condemn slam blast decry
    deny welcome hail fault chide label dub brand predict urge
    """.split()
)
# Verbs whose infinitive complement is the attributed content ("X vowed to ...").
INFINITIVE_VERBS = frozenset(
    """
    want refuse pledge vow urge expect seek decide hope promise intend threaten demand ask continue
    agree offer decline plan vote call encourage
    """.split()
)
# Verb + preposition pairs whose prepositional object is the attributed content ("called for").
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
# Phrasal cues whose particle matters in the lemma ("point out").
PARTICLE_CUES = {("point", "out"): "point out", ("lay", "out"): "lay out", ("spell", "out"): "spell out"}
ACCORDING_TO = "according to"
# The cue of a byline (`"..." ― Jane Doe`), whichever dash the text uses.
DASH_CUE = "—"


def is_cue_verb(token: Token) -> bool:
    """True for a verb of saying (by lemma) used as a verb."""
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in SPEECH_VERBS


def takes_content(verb: Token, child: Token) -> bool:
    """True when ``child`` of ``verb`` holds the content ``verb`` attributes (see the module doc)."""
    lemma, dep = verb.lemma_.lower(), child.dep_
    if dep == "ccomp":
        return lemma in SPEECH_VERBS
    if child.i < verb.i:
        return False
    if dep == "dobj":
        return lemma in OBJECT_VERBS
    if dep == "xcomp":
        return lemma in INFINITIVE_VERBS
    if dep == "prep":
        return (lemma, child.lower_) in PREPOSITION_CUES
    return False


def cue_lemma(token: Token) -> str:
    """The cue as a lemma, with its particle when it has one ("point out")."""
    lemma = token.lemma_.lower()
    for child in token.children:
        if child.dep_ == "prt" and (lemma, child.lower_) in PARTICLE_CUES:
            return PARTICLE_CUES[(lemma, child.lower_)]
    return lemma


def is_according_to(token: Token) -> bool:
    """True for the "according" of "according to X"."""
    return token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to"
