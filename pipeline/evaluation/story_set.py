"""The near-duplicate story set: BBC articles, copies of a sample of them made the way outlets make
copies, and every other article as a distinct story (docs/stories.md).

Deterministic: one seed draws the bases, the edits and the arrival order, so a figure can be
reproduced and a miss looked at again. Plain functions over the BBC files; nothing here runs a model.

Each article is a title and its paragraphs; every paragraph remembers where it came from (article
and paragraph index in the corpus, or None for text an outlet wrote), which is what lets the
quotation measure (:mod:`pipeline.evaluation.story_quotes`) say which quote of a copy is which quote
of its base.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

# The edits, in the order a combination applies them: the wire cut first (an outlet trims what it
# receives), the outlet's boilerplate last (it wraps whatever the article became).
EDITS = ("trimmed", "line-cut", "reordered", "update", "line-added", "headline", "boilerplate")
COMBINATIONS_PER_BASE = 2
DEFAULT_SAMPLE = 150
DEFAULT_SEED = 15
# A wire cut keeps at least this share of the body's characters (the issue: ">= 60% of it").
TRIM_KEEP = 0.6
# A base needs paragraphs to reorder, cut and trim.
MIN_BASE_PARAGRAPHS = 4
# A donor stays in the set as a distinct story and shares the two paragraphs it gave with the update
# (BBC stories on one event share background paragraphs too); it needs a pair after its lead.
DONOR_MIN_PARAGRAPHS = 3
UPDATE_MAX_SHARE = 0.5
# ... and the pair is at most this share of the donor: two of a short article's three paragraphs
# would make the donor nearly contained in the update, a trap no outlet sets.
DONOR_MAX_SHARE = 0.35

# The corpus's own near-duplicates, found by 5-word-shingle Jaccard over all 2,225 bodies and read:
# the same article with a word or a sentence changed, a paragraph added or re-broken. Exact ones
# (identical bodies after whitespace normalisation, 136 pairs) are derived, not listed.
NEAR_DUPLICATES: tuple[tuple[str, str], ...] = (
    ("tech/048", "tech/342"), ("sport/332", "sport/344"), ("tech/286", "tech/391"), ("tech/155", "tech/294"),
    ("tech/234", "tech/389"), ("tech/212", "tech/225"), ("tech/049", "tech/340"), ("sport/289", "sport/406"),
    ("tech/219", "tech/224"), ("tech/064", "tech/338"), ("tech/045", "tech/341"), ("tech/022", "tech/380"),
    ("tech/095", "tech/311"), ("sport/425", "sport/433"), ("tech/032", "tech/335"),
    ("entertainment/102", "entertainment/341"), ("entertainment/079", "entertainment/331"),
    ("tech/019", "tech/329"), ("entertainment/179", "entertainment/216"), ("entertainment/142", "entertainment/229"),
    ("politics/226", "politics/265"),
)
# Revisions: the BBC's own later version of a story, rewritten in places (new lead, quotes swapped,
# paragraphs merged; shingle Jaccard 0.35-0.8). The same story to a reader, yet a rewrite rather than
# a copy, so neither joining nor separating them is scored; they are reported on their own.
REVISIONS: tuple[tuple[str, str], ...] = (
    ("tech/009", "tech/379"), ("tech/043", "tech/326"), ("business/209", "business/229"),
    ("business/254", "business/447"), ("business/260", "business/354"), ("politics/077", "politics/354"),
    ("sport/424", "sport/511"), ("sport/444", "sport/458"), ("politics/311", "politics/312"),
    ("politics/043", "politics/313"), ("politics/088", "politics/337"), ("politics/111", "politics/293"),
    ("entertainment/038", "entertainment/355"),  # the Bafta night: the preview, then the red carpet with quotes
)

Source = Optional[tuple[str, int]]  # (corpus article, paragraph index), None for an outlet's own text
_SENTENCE_END = re.compile(r'(?<=[.!?])\s+(?=["\'A-Z0-9£$])|(?<=[.!?]["\'])\s+(?=["\'A-Z0-9£$])')


@dataclass(frozen=True)
class Paragraph:
    text: str
    source: Source


@dataclass(frozen=True)
class Article:
    """One article of the set: ``story`` is its gold story, ``edit`` how it was made from its base
    ("base" for a sampled article as published, "distinct" for any other corpus article,
    "corpus-duplicate" for one of the corpus's own duplicates, else the edits joined by "+")."""

    article_id: str
    story: str
    edit: str
    category: str
    title: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def body(self) -> str:
        return "\n\n".join(paragraph.text for paragraph in self.paragraphs)


@dataclass(frozen=True)
class StorySet:
    articles: tuple[Article, ...]  # in arrival order
    bases: tuple[str, ...]  # the sampled article ids, in the order they were drawn
    corpus_pairs: tuple[tuple[str, str, str], ...]  # (a, b, "exact" | "near") gold pairs of the corpus itself
    revisions: tuple[tuple[str, str], ...]  # pairs scored neither way
    donors: Mapping[str, str]  # copy id -> the article its update paragraphs came from

    def gold(self) -> dict[str, str]:
        return {article.article_id: article.story for article in self.articles}


# -- reading the corpus --------------------------------------------------------------------------

def read_bbc(folder: Path) -> dict[str, Article]:
    """Every article of ``folder`` (the bbc-news folder, or its ``bbc`` subfolder) by id
    "category/NNN": line 1 the title, then paragraphs separated by blank lines."""
    root = folder / "bbc" if (folder / "bbc").is_dir() else folder
    articles = {}
    for path in sorted(root.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:  # sport/199.txt holds a Latin-1 pound sign
            text = raw.decode("cp1252")
        title, _, rest = text.partition("\n")
        article_id = f"{path.parent.name}/{path.stem}"
        paragraphs = tuple(
            Paragraph(" ".join(block.split()), (article_id, index))
            for index, block in enumerate(block for block in re.split(r"\n\s*\n", rest) if block.strip())
        )
        articles[article_id] = Article(article_id, article_id, "distinct", path.parent.name, title.strip(), paragraphs)
    return articles


def normalised_body(article: Article) -> str:
    return " ".join(article.body.split())


def duplicate_groups(corpus: Mapping[str, Article]) -> list[list[str]]:
    """Groups of the corpus's articles that are one story: identical bodies after whitespace
    normalisation, joined with the listed near-duplicates (union-find), each group sorted."""
    parent = {article_id: article_id for article_id in corpus}

    def root(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    first_with_body: dict[str, str] = {}
    for article_id, article in corpus.items():
        twin = first_with_body.setdefault(normalised_body(article), article_id)
        parent[root(article_id)] = root(twin)
    for a, b in NEAR_DUPLICATES:
        if a in corpus and b in corpus:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for article_id in corpus:
        groups.setdefault(root(article_id), []).append(article_id)
    return sorted((sorted(group) for group in groups.values() if len(group) > 1), key=lambda group: group[0])


# -- the edits -----------------------------------------------------------------------------------

def sentences(text: str) -> list[str]:
    """A paragraph's sentences: split after ., ! or ? (and a closing quote) before a capital,
    digit or quote. Good enough for cutting news copy; never used to score anything."""
    return [part for part in _SENTENCE_END.split(text) if part]


@dataclass(frozen=True)
class Outlet:
    name: str
    header: tuple[str, ...]
    footer: tuple[str, ...]


# Fake outlets, each with its own furniture: what a scraper keeps around a syndicated article.
# "{related}" is the title of another article of the same category, as a related-links box shows.
OUTLETS = (
    Outlet("The Northern Courier",
           ("The Northern Courier", "Share this article"),
           ("Follow us on Facebook, X and Instagram for the latest news from the North.",
            "Related: {related}",
            "© 2005 The Northern Courier Ltd. All rights reserved.")),
    Outlet("Daily Ledger",
           ("Daily Ledger | Home | News | Business | Sport", "By Ledger Staff and agencies"),
           ("Sign up to the Ledger Morning Briefing: the day's top stories in your inbox before 7am.",
            "More on this story: {related}",
            "Copyright Daily Ledger 2005. Reproduction without permission is prohibited.")),
    Outlet("Metro Wire",
           ("Metro Wire - Breaking news", "Share on Facebook Share on Twitter Email this story"),
           ("Have you got a story? Email newsdesk@metrowire.example or call our newsroom.",
            "You may also like: {related}")),
    Outlet("Coastal Times Online",
           ("Coastal Times Online", "Listen to this article"),
           ("Read more: {related}",
            "Get the Coastal Times app for breaking news alerts on your phone.",
            "This article is copyright Coastal Times Online. Terms and conditions apply.")),
    Outlet("The Evening Standard-Bearer",
           ("Advertisement", "The Evening Standard-Bearer", "Updated 2 hours ago"),
           ("Join the conversation: comments are open for 48 hours.",
            "Trending now: {related}",
            "Subscribe to our newsletter for exclusive analysis every weekday.",
            "(c) The Evening Standard-Bearer 2005")),
)
# The notes outlets add to an article: one line, their own, not news.
NOTES = (
    "Additional reporting by Reuters.",
    "This article was amended on 14 March to correct a spelling.",
    "This story has been updated with further details.",
    "The company did not respond to a request for comment at the time of publication.",
    "Our correspondent contributed to this report.",
    "A version of this story first appeared on our sister site.",
    "Updated at 14:05 GMT.",
)
# Headline styles an outlet rewrites a title into (the wire's title is kept inside some).
HEADLINES = (
    "{title}: what we know so far",
    "UPDATE: {title}",
    "{title} - latest",
    "Explained: {title}",
    "{title}, reports say",
)


@dataclass(frozen=True)
class Context:
    """What an edit may draw from besides its article: the seeded generator, and for the update
    and the related links, the category's other articles."""

    rng: random.Random
    donor: Optional[Article]  # the article whose two paragraphs an update adds
    related_title: str


Edit = Callable[[Article, Context], Article]


def new_headline(article: Article, context: Context) -> Article:
    return replace(article, title=context.rng.choice(HEADLINES).format(title=article.title))


def add_line(article: Article, context: Context) -> Article:
    """An outlet's note as its own paragraph: at the end, or after the first paragraph."""
    note = Paragraph(context.rng.choice(NOTES), None)
    paragraphs = list(article.paragraphs)
    position = len(paragraphs) if context.rng.random() < 0.6 else 1
    paragraphs.insert(position, note)
    return replace(article, paragraphs=tuple(paragraphs))


def cut_line(article: Article, context: Context) -> Article:
    """One sentence cut from a paragraph that has several (never the lead paragraph); a one-sentence
    paragraph cut whole when no paragraph has two."""
    paragraphs = list(article.paragraphs)
    candidates = [index for index, paragraph in enumerate(paragraphs)
                  if index > 0 and paragraph.source is not None and len(sentences(paragraph.text)) > 1]
    if candidates:
        index = context.rng.choice(candidates)
        parts = sentences(paragraphs[index].text)
        del parts[context.rng.randrange(len(parts))]
        paragraphs[index] = replace(paragraphs[index], text=" ".join(parts))
    else:
        del paragraphs[context.rng.randrange(1, len(paragraphs))]
    return replace(article, paragraphs=tuple(paragraphs))


def reorder(article: Article, context: Context) -> Article:
    """One paragraph after the lead moved to another place after the lead."""
    paragraphs = list(article.paragraphs)
    if len(paragraphs) < 3:
        return article
    origin = context.rng.randrange(1, len(paragraphs))
    moved = paragraphs.pop(origin)
    target = context.rng.choice([index for index in range(1, len(paragraphs) + 1) if index != origin])
    paragraphs.insert(target, moved)
    return replace(article, paragraphs=tuple(paragraphs))


def wrap(article: Article, context: Context) -> Article:
    """The article inside one outlet's header and footer lines, each its own paragraph."""
    outlet = context.rng.choice(OUTLETS)
    header = tuple(Paragraph(line, None) for line in outlet.header)
    footer = tuple(Paragraph(line.format(related=context.related_title), None) for line in outlet.footer)
    return replace(article, paragraphs=header + article.paragraphs + footer)


def update(article: Article, context: Context) -> Article:
    """Two new paragraphs, consecutive ones of another article of the category (so they read like
    news on the same beat), after the lead as a developing story has them, or at the end. The pair
    adds at most :data:`UPDATE_MAX_SHARE` of the article's length when the donor has such a pair
    (else its shortest): an "update" that doubles a short article is another article."""
    donor = context.donor
    if donor is None or len(donor.paragraphs) < 3:
        raise ValueError(f"{article.article_id}: an update needs a donor article of 3 paragraphs or more")
    starts = update_starts(donor, len(article.body))
    start = context.rng.choice(starts) if starts else min(
        range(1, len(donor.paragraphs) - 1), key=lambda index: _length(donor.paragraphs[index:index + 2]))
    added = donor.paragraphs[start:start + 2]
    paragraphs = list(article.paragraphs)
    position = 1 if context.rng.random() < 0.5 else len(paragraphs)
    paragraphs[position:position] = added
    return replace(article, paragraphs=tuple(paragraphs))


def update_starts(donor: Article, length: int) -> list[int]:
    """Where a pair of the donor's paragraphs (never its lead) starts that is short enough for an
    update of an article of ``length`` characters, and a small enough part of the donor."""
    limit = min(UPDATE_MAX_SHARE * length, DONOR_MAX_SHARE * len(donor.body))
    return [index for index in range(1, len(donor.paragraphs) - 1) if _length(donor.paragraphs[index:index + 2]) <= limit]


def trim(article: Article, context: Context) -> Article:
    """A wire cut: the first paragraphs, up to a share of the body's characters drawn between 60%
    and 85%. When whole paragraphs would keep less than 60%, the paragraph that crosses the target
    is cut after the sentence that reaches 60% instead."""
    total = len(article.body)
    target = context.rng.uniform(TRIM_KEEP, 0.85) * total
    floor = TRIM_KEEP * total
    kept: list[Paragraph] = []
    for paragraph in article.paragraphs:
        if _length(kept + [paragraph]) <= target:
            kept.append(paragraph)
            continue
        if _length(kept) < floor:
            parts = sentences(paragraph.text)
            count = next(count for count in range(1, len(parts) + 1)
                         if _length(kept + [replace(paragraph, text=" ".join(parts[:count]))]) >= floor)
            kept.append(replace(paragraph, text=" ".join(parts[:count])))
        break
    return replace(article, paragraphs=tuple(kept))


def _length(paragraphs: Sequence[Paragraph]) -> int:
    return len("\n\n".join(paragraph.text for paragraph in paragraphs))


EDIT_FUNCTIONS: dict[str, Edit] = {
    "trimmed": trim, "line-cut": cut_line, "reordered": reorder, "update": update,
    "line-added": add_line, "headline": new_headline, "boilerplate": wrap,
}


def make_copy(base: Article, edits: Sequence[str], context: Context) -> Article:
    """``base`` with ``edits`` applied in the order of :data:`EDITS`, as one article of its story."""
    copy = base
    for name in sorted(edits, key=EDITS.index):
        copy = EDIT_FUNCTIONS[name](copy, context)
    label = "+".join(sorted(edits, key=EDITS.index))
    return replace(copy, article_id=f"{base.article_id}~{label}", story=base.article_id, edit=label)


# -- the set -------------------------------------------------------------------------------------

def build_story_set(corpus: Mapping[str, Article], *, sample: int = DEFAULT_SAMPLE, seed: int = DEFAULT_SEED) -> StorySet:
    """Copies of ``sample`` bases (drawn evenly from every category) with every single edit and
    :data:`COMBINATIONS_PER_BASE` combinations of two, plus every other corpus article, shuffled
    into one arrival order. Corpus duplicates keep their group's first id as their story."""
    rng = random.Random(seed)
    groups = duplicate_groups(corpus)
    grouped = {article_id for group in groups for article_id in group}
    revised = {article_id for pair in REVISIONS for article_id in pair}
    bases = _draw_bases(corpus, sample, rng, exclude=grouped | revised)
    donors_left = {category: [article for article in _by_category(corpus).get(category, [])
                              if article.article_id not in grouped | revised | set(bases)
                              and len(article.paragraphs) >= DONOR_MIN_PARAGRAPHS]
                   for category in _by_category(corpus)}
    for pool in donors_left.values():
        rng.shuffle(pool)
    pairs = [(a, b) for index, a in enumerate(EDITS) for b in EDITS[index + 1:]]

    articles: list[Article] = []
    donors: dict[str, str] = {}
    for base_id in bases:
        base = replace(corpus[base_id], edit="base")
        articles.append(base)
        chosen = [(name,) for name in EDITS] + [tuple(pair) for pair in rng.sample(pairs, COMBINATIONS_PER_BASE)]
        for edits in chosen:
            # Each update takes a donor of its own, so no two copies share added paragraphs.
            donor = _take_donor(donors_left[base.category], len(base.body)) if "update" in edits else None
            related = rng.choice([a for a in _by_category(corpus)[base.category] if a.article_id != base_id])
            copy = make_copy(base, edits, Context(rng, donor, related.title))
            if donor is not None:
                donors[copy.article_id] = donor.article_id
            articles.append(copy)

    story_of = {article_id: group[0] for group in groups for article_id in group}
    for article_id, article in corpus.items():
        if article_id in bases:
            continue
        if article_id in story_of:
            articles.append(replace(article, story=story_of[article_id], edit="corpus-duplicate"))
        else:
            articles.append(article)
    rng.shuffle(articles)
    exact_pairs = _exact_pairs(corpus, groups)
    corpus_pairs = tuple(
        (a, b, "exact" if (a, b) in exact_pairs else "near")
        for group in groups for index, a in enumerate(group) for b in group[index + 1:]
    )
    revisions = tuple((a, b) for a, b in REVISIONS if a in corpus and b in corpus)
    return StorySet(tuple(articles), tuple(bases), corpus_pairs, revisions, donors)


def _take_donor(pool: list[Article], length: int) -> Article:
    """The next donor with a pair of paragraphs short enough for an update of ``length`` characters
    (else the next one), taken out of ``pool``: no two copies share added paragraphs."""
    index = next((index for index in range(len(pool) - 1, -1, -1) if update_starts(pool[index], length)), len(pool) - 1)
    return pool.pop(index)


def _by_category(corpus: Mapping[str, Article]) -> dict[str, list[Article]]:
    categories: dict[str, list[Article]] = {}
    for article in corpus.values():
        categories.setdefault(article.category, []).append(article)
    return categories


def _draw_bases(corpus: Mapping[str, Article], sample: int, rng: random.Random, *, exclude: set[str]) -> list[str]:
    """``sample`` article ids spread evenly over the categories (round robin over each category's
    shuffled candidates), never a corpus duplicate or revision (their story has gold of its own)."""
    pools = {
        category: [a.article_id for a in articles
                   if a.article_id not in exclude and len(a.paragraphs) >= MIN_BASE_PARAGRAPHS]
        for category, articles in sorted(_by_category(corpus).items())
    }
    for pool in pools.values():
        rng.shuffle(pool)
    drawn: list[str] = []
    while len(drawn) < sample and any(pools.values()):
        for pool in pools.values():
            if pool and len(drawn) < sample:
                drawn.append(pool.pop())
    return drawn


def _exact_pairs(corpus: Mapping[str, Article], groups: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {
        (a, b) for group in groups for index, a in enumerate(group) for b in group[index + 1:]
        if normalised_body(corpus[a]) == normalised_body(corpus[b])
    }
