"""The reporting-cue lexicon: which words introduce what someone said, wrote or thought.

Two lists, because the evidence differs: next to a quotation in marks almost any verb of saying
is a cue ("...," he laughed), while without marks a verb needs a clausal complement and must be
a verb of communication or stance to make the clause an attributed statement.
"""

from __future__ import annotations

from spacy.tokens import Token

# Verbs that report speech, writing or a stated position, used with a clausal complement
# (X said (that) ..., X warned ..., X told reporters ...).
SPEECH_VERBS = frozenset(
    """
    say tell note add conclude explain state claim argue warn insist stress emphasize emphasise
    announce declare suggest acknowledge admit confirm deny ask reply respond answer recall remark
    observe comment predict agree complain tweet post assert maintain contend allege caution urge
    vow promise pledge reveal disclose indicate mention concede confess boast joke quip testify
    report write reiterate underline underscore highlight signal hint speculate estimate forecast
    explain recount recount argue counter retort charge accuse criticize criticise blast slam
    praise describe question wonder lament acknowledge advise assure concur contend point
    continue insist proclaim propose recommend demand threaten tout brag grumble mutter whisper
    shout yell scream cry exclaim sigh laugh smile chuckle muse reason surmise guess predict
    believe think feel hope fear worry expect know learn find show conclude decide doubt
    imply reckon estimate calculate determine judge rule find order instruct inform remind warn
    caution notify brief assure reassure convince persuade
    """.split()
)
# Phrasal cues whose particle matters ("point out", "go on to say" is handled through "say").
PARTICLE_CUES = {("point", "out"): "point out", ("lay", "out"): "lay out", ("spell", "out"): "spell out"}
# Nouns that head "according to" style prepositional cues.
ACCORDING_TO = "according to"


def is_cue_verb(token: Token) -> bool:
    """True for a verb of saying (by lemma) used as a verb."""
    return token.pos_ in ("VERB", "AUX") and token.lemma_.lower() in SPEECH_VERBS


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
