"""What full text from feeds adds: words and quotes per article, summary only vs the linked page.

The feed snapshots in the shared evaluation data hold feeds only, not the pages their entries link
to, so this serves a corpus of its own on 127.0.0.1: BBC News articles (Greene & Cunningham, in
``../shared/eval/bbc-news``) as web pages, and an RSS feed whose entries carry, as the BBC's feeds
do, the headline, the link (with the BBC's ``?at_medium=RSS&at_campaign=rss``) and a one-paragraph
summary. Both runs go through ``newsbeam run`` in-process, into fresh datasets:

    python benchmarks/full_text.py            # 23 articles of each of the 5 categories: 115
    python benchmarks/full_text.py --per-category 5

The host delay is 0 here (one local host would otherwise cost a second per page); nothing is a test.
Measured 2026-12-03 (115 articles): summary only 20.9 words and 36 quotes (0.31 per article); full
text 343.6 words and 725 quotes (6.3 per article), 115 of 115 pages fetched (wall times, 4-24 s on
a shared 2-core machine, are not a throughput figure).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "eval" / "bbc-news" / "bbc"
CATEGORIES = ("business", "entertainment", "politics", "sport", "tech")
TRACKING = "?at_medium=RSS&at_campaign=rss"

from pipeline import counters  # noqa: E402
from pipeline.config import load_settings  # noqa: E402
from pipeline.query import run_query  # noqa: E402
from pipeline.run import run  # noqa: E402
from tests.http_server import LocalHTTPServer, Reply  # noqa: E402


def load_stories(folder: Path, per_category: int) -> list[tuple[str, str, list[str]]]:
    """(path, headline, paragraphs) of the first ``per_category`` articles of each category."""
    stories = []
    for category in CATEGORIES:
        for file in sorted((folder / category).glob("*.txt"))[:per_category]:
            lines = file.read_bytes().decode("utf-8", errors="replace").split("\n")
            paragraphs = [line.strip() for line in lines[1:] if line.strip()]
            stories.append((f"/news/{category}-{file.stem}", lines[0].strip(), paragraphs))
    return stories


def page(headline: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html lang='en'><head><title>{html.escape(headline)} - BBC News</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>{html.escape(headline)}</h1>{body}</article>"
        "<footer>Copyright BBC. The BBC is not responsible for the content of external sites.</footer>"
        "</body></html>"
    ).encode()


def feed(base: str, stories: list[tuple[str, str, list[str]]]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(headline)}</title><link>{base}{path}{TRACKING}</link>"
        f"<guid isPermaLink='false'>{base}{path}</guid><pubDate>Mon, 02 Mar 2026 10:00:00 +0000</pubDate>"
        f"<description>{html.escape(paragraphs[0])}</description></item>"
        for path, headline, paragraphs in stories
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>BBC News</title>{items}</channel></rss>".encode()


def measure(full_text: bool, stories, workdir: Path) -> dict:
    out = workdir / ("on" if full_text else "off")
    settings = load_settings(overrides=[
        f"output={out}", "http.allow_private_hosts=true", "http.min_host_delay=0",
        f"http.fetch_full_text={'true' if full_text else 'false'}",
    ])
    with LocalHTTPServer() as server:
        base = server.url("")
        server.route("/rss.xml", Reply(body=feed(base, stories), headers={"Content-Type": "application/rss+xml"}))
        for path, headline, paragraphs in stories:
            server.route(path + TRACKING, Reply(body=page(headline, paragraphs), headers={"Content-Type": "text/html"}))
        started = time.perf_counter()
        summary = run(settings, [server.url("/rss.xml")])
        seconds = time.perf_counter() - started
    [(articles, words)] = run_query(out, "SELECT count(*), avg(word_count) FROM articles")[1]
    [(quotes,)] = run_query(out, "SELECT count(*) FROM quotes")[1]
    [(distinct_urls, distinct_canonical)] = run_query(out, "SELECT count(DISTINCT url), count(DISTINCT canonical_url) FROM articles")[1]
    return {
        "full_text": full_text,
        "articles": articles,
        "words_per_article": round(words, 1),
        "quotes": quotes,
        "quotes_per_article": round(quotes / articles, 2),
        "full_texts_fetched": summary.get("full_texts_fetched"),
        "fulltext_failures": summary.get(counters.failure("fulltext_failed")),
        "urls_with_tracking": sum(1 for (url,) in run_query(out, "SELECT url FROM articles")[1] if url.endswith(TRACKING)),
        "distinct_url_vs_canonical": [distinct_urls, distinct_canonical],
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--per-category", type=int, default=23)
    args = parser.parse_args()
    stories = load_stories(args.data, args.per_category)
    with tempfile.TemporaryDirectory() as workdir:
        for full_text in (False, True):
            print(json.dumps(measure(full_text, stories, Path(workdir))))


if __name__ == "__main__":
    main()
