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

Every cue also has a class (``Quote.cue_class``, :data:`CUE_CLASSES`): ``speech`` (what was said
or written, including stances taken out loud: "criticized", "welcomed"), ``thought`` (what someone
believes, feels or favours), ``intention`` (what someone means to do or wants done) or ``other``
(an action or a finding: "show", "vote for").  The class describes a quote; it does not decide
whether there is one (see :func:`reports_object`).
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
# The cue of a colon that introduces a quotation or ends a speaker label.
COLON_CUE = ":"

SPEECH, THOUGHT, INTENTION, OTHER = "speech", "thought", "intention", "other"
# The class of each cue lemma; a verb+preposition cue ("call for") not listed whole takes its
# verb's.  Lemmas listed nowhere are ``other``.
CUE_CLASSES: dict[str, frozenset[str]] = {
    SPEECH: frozenset(
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
    | {ACCORDING_TO, COLON_CUE, DASH_CUE, *PARTICLE_CUES.values()},
    THOUGHT: frozenset(
        """
        believe think feel hope fear worry expect know learn doubt reckon surmise guess wonder
        understand recognize recognise suspect consider support back oppose prefer favour favor
        endorse remember imagine assume
        """.split()
    ),
    INTENTION: frozenset("want plan propose intend seek aim decide refuse wish mean".split()),
}
_CLASS_OF = {lemma: name for name, lemmas in CUE_CLASSES.items() for lemma in lemmas}


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


def reports_object(content: Token) -> bool:
    """True when ``content``, a dependent that :func:`takes_content` accepts, is a report rather
    than a fragment: a clause is more than its head (the parser sometimes makes the "m" of
    "£28.7m" a clause on its own; a verbless small clause, "found the remarks compelling", is
    still one), and an object that is a bare date or time ("name the day") says when, not what.

    The fragments are told apart by the parse alone, not by the cue's class: PolNeAR annotates
    stances on a bare object ("endorsed Clinton", "polls show Clinton ahead", "want a
    revolution") whatever the verb, and dropping those costs more than it gains (docs/quotes.md).
    """
    if content.dep_ == "ccomp":
        return any(True for _ in content.children)
    noun = next((child for child in content.children if child.dep_ == "pobj"), None) if content.dep_ == "prep" else content
    if noun is None or content.dep_ == "xcomp":
        return True
    return not (noun.ent_type_ in _WHEN and all(child.dep_ in _BARE for child in noun.children))


# Entity labels of a time, and the dependents that leave a noun bare ("the day", "those days").
_WHEN = frozenset({"DATE", "TIME"})
_BARE = frozenset({"det", "poss"})


def cue_lemma(token: Token) -> str:
    """The cue as a lemma, with its particle when it has one ("point out")."""
    lemma = token.lemma_.lower()
    for child in token.children:
        if child.dep_ == "prt" and (lemma, child.lower_) in PARTICLE_CUES:
            return PARTICLE_CUES[(lemma, child.lower_)]
    return lemma


def cue_class(lemma: str) -> str:
    """The class of a cue lemma (see :data:`CUE_CLASSES`)."""
    return _CLASS_OF.get(lemma) or _CLASS_OF.get(lemma.split(" ", 1)[0], OTHER)


def is_according_to(token: Token) -> bool:
    """True for the "according" of "according to X"."""
    return token.lower_ == "according" and token.i + 1 < len(token.doc) and token.doc[token.i + 1].lower_ == "to"
