"""HTML: whole pages through trafilatura (main text and metadata), fragments to plain text through lxml."""

from __future__ import annotations

from typing import Iterator, Optional

import trafilatura
from lxml import etree, html as lxml_html
from trafilatura.settings import set_date_params

from pipeline.failures import Reason, make_failure
from pipeline.parse.normalise import build_article, split_authors
from pipeline.parse.provenance import STAGE, Provenance
from pipeline.records import ParseResult

# htmldate returns only the day unless asked for the time (and its offset) as well.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# Elements after which a reader sees a line break; text inside the others runs on.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th tr ul".split()
)
_DROPPED_TAGS = ("script", "style", "noscript", "template")


def parse_html(text: str, provenance: Provenance, *, url: Optional[str] = None) -> ParseResult:
    """The main text of a web page, with its title, date, authors, canonical URL, site name and language."""
    tree = trafilatura.load_html(text)
    if tree is None:
        return make_failure(STAGE, Reason.HTML_WITHOUT_TEXT, provenance.origin, "not parseable as HTML", snippet=text)
    page_language = tree.get("lang")  # read first: extraction prunes the tree in place
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        date_extraction_params={**set_date_params(), "outputformat": _DATE_FORMAT},
    )
    body = document.text if document is not None else None
    if not body or not body.strip():
        return make_failure(STAGE, Reason.HTML_WITHOUT_TEXT, provenance.origin, "no main text found in the page", snippet=text)
    return build_article(
        provenance,
        body=drop_leading_title(body, document.title),
        url=document.url or url,
        title=document.title,
        source=provenance.source or document.sitename,
        summary=document.description,
        authors=split_authors(document.author or ""),
        language=provenance.language or page_language,
        published_at=document.date,
        whole_document=True,
    )


def drop_leading_title(body: str, title: Optional[str]) -> str:
    """trafilatura keeps the page's <h1> as the first line; the title field already holds it."""
    first, _, rest = body.partition("\n")
    if title and rest.strip() and " ".join(first.split()) == " ".join(title.split()):
        return rest
    return body


def html_to_text(fragment: str) -> str:
    """Readable text of an HTML fragment (a feed entry's content): paragraphs on their own lines.

    Not trafilatura here: its main-text heuristics throw away short fragments, and a feed entry's
    content is already the main text.
    """
    if not fragment.strip():
        return ""
    try:
        # A huge-document parser: by default libxml2 silently drops a text node over 10,000,000 bytes
        # and everything nested over 255 levels deep, and an entry would come out empty ("without
        # text") instead of too large (input.max_article_chars says so, after parsing). The fragment
        # is bounded by the read size limits. One parser per call: lxml parsers are not thread-safe
        # (feeds are polled in threads), and making one costs a microsecond.
        root = lxml_html.fragment_fromstring(fragment, create_parent="div", parser=lxml_html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return ""
    etree.strip_elements(root, *_DROPPED_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    lines = (" ".join(line.split()) for line in "".join(_text_pieces(root)).split("\n"))
    return "\n".join(line for line in lines if line)


def _text_pieces(root: etree._Element) -> Iterator[str]:
    """The text and tails below ``root`` in document order, a line break around each block element.

    A walk over start and end events, not recursion: a huge-document parse nests up to 2,048 levels,
    deeper than Python's recursion limit."""
    for event, element in etree.iterwalk(root, events=("start", "end")):
        block = isinstance(element.tag, str) and element.tag.lower() in _BLOCK_TAGS
        if event == "start":
            if block:
                yield "\n"
            yield element.text or ""
        else:
            if block:
                yield "\n"
            if element is not root:
                yield element.tail or ""
