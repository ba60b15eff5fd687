"""Feed lists in YAML and OPML: the accepted forms, bad entries as Failures, hostile OPML refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.failures import Reason
from pipeline.sources.feedlists import FeedSpec, is_feed_list, load_feed_list, parse_duration

CONFIGS = Path(__file__).parents[2] / "configs"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE opml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<opml version="2.0"><body><outline text="&lol9;" xmlUrl="https://example.org/rss.xml"/></body></opml>
"""


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    "text",
    [
        "- https://a.example/rss\n- https://b.example/atom\n",
        "feeds:\n  - https://a.example/rss\n  - url: https://b.example/atom\n",
        "- url: https://a.example/rss\n- {url: https://b.example/atom}\n",
    ],
    ids=["list-of-urls", "feeds-mapping", "list-of-mappings"],
)
def test_yaml_forms(tmp_path: Path, text: str) -> None:
    specs, failures = load_feed_list(write(tmp_path, "feeds.yaml", text))

    assert failures == []
    assert [spec.url for spec in specs] == ["https://a.example/rss", "https://b.example/atom"]


def test_yaml_per_feed_settings(tmp_path: Path) -> None:
    text = """
feeds:
  - url: https://a.example/rss
    name: A News
    interval: 1h30m
    full_text: true
    language: de
  - url: https://b.example/rss
    source: B Daily
    interval: 600
"""
    specs, failures = load_feed_list(write(tmp_path, "feeds.yml", text))

    assert failures == []
    assert specs == [
        FeedSpec("https://a.example/rss", "A News", 5400.0, True, "de"),
        FeedSpec("https://b.example/rss", "B Daily", 600.0, None, None),
    ]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("{url: https://b.example/rss, colour: red}", "unknown key 'colour'"),
        ("{name: no url}", "url: Field required"),
        ("ftp://b.example/rss", "must be an http(s) URL"),
        ("{url: https://b.example/rss, interval: soon}", "interval: not a duration"),
        ("{url: https://b.example/rss, full_text: maybe}", "full_text:"),
        ("[nested, list]", "must be a URL or a mapping"),
        ("https://a.example/rss", "duplicate feed https://a.example/rss ignored: already listed at feeds[0]"),
    ],
)
def test_a_bad_yaml_entry_is_a_failure_and_the_rest_still_loads(tmp_path: Path, entry: str, message: str) -> None:
    path = write(tmp_path, "feeds.yaml", f"- https://a.example/rss\n- {entry}\n")

    specs, failures = load_feed_list(path)

    assert [spec.url for spec in specs] == ["https://a.example/rss"]
    (failure,) = failures
    assert (failure.reason, failure.stage, failure.origin, failure.locator) == (
        Reason.MALFORMED_FEED_LIST.value,
        "read",
        str(path),
        "feeds[1]",
    )
    assert message in failure.detail


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feeds: [\n", "not valid YAML"),
        ("", "non-empty list"),
        ("feeds: []\n", "non-empty list"),
        ("just a string\n", "non-empty list"),
        ("feeds: [https://a.example/rss]\ndefaults: {}\n", "unknown top-level key(s) defaults"),
    ],
)
def test_an_unusable_yaml_file_is_one_failure(tmp_path: Path, text: str, message: str) -> None:
    specs, failures = load_feed_list(write(tmp_path, "feeds.yaml", text))

    assert specs == []
    (failure,) = failures
    assert failure.reason == Reason.MALFORMED_FEED_LIST.value
    assert message in failure.detail


def test_opml_nested_outlines(tmp_path: Path) -> None:
    text = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0"><head><title>subs</title></head><body>
  <outline text="News">
    <outline text="Deeper">
      <outline type="rss" text="Deep Feed" xmlUrl="https://deep.example/rss"/>
    </outline>
    <outline type="rss" title="Titled" text="Texted" xmlUrl="https://titled.example/rss" language="fr"/>
  </outline>
  <outline type="rss" text="Top" xmlurl="https://top.example/rss" interval="15m" fullText="true"/>
</body></opml>"""
    specs, failures = load_feed_list(write(tmp_path, "subs.opml", text))

    assert failures == []
    assert specs == [
        FeedSpec("https://deep.example/rss", "Deep Feed"),
        FeedSpec("https://titled.example/rss", "Titled", language="fr"),
        FeedSpec("https://top.example/rss", "Top", 900.0, True),
    ]


def test_a_bad_opml_outline_is_a_failure_with_its_line(tmp_path: Path) -> None:
    text = '<opml><body>\n<outline xmlUrl="https://a.example/rss"/>\n<outline xmlUrl="javascript:alert(1)"/>\n</body></opml>'

    specs, failures = load_feed_list(write(tmp_path, "subs.opml", text))

    assert [spec.url for spec in specs] == ["https://a.example/rss"]
    assert [failure.locator for failure in failures] == ["line 3"]


def test_a_billion_laughs_opml_is_refused_not_expanded(tmp_path: Path) -> None:
    specs, failures = load_feed_list(write(tmp_path, "evil.opml", BILLION_LAUGHS))

    assert specs == []
    (failure,) = failures
    assert failure.reason == Reason.MALFORMED_FEED_LIST.value
    assert "DOCTYPE" in failure.detail


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<opml><body><outline xmlUrl='https://a.example/rss'></body></opml>", "not well-formed XML"),
        ("<rss><channel/></rss>", "root element is <rss>"),
        ("<opml><body><outline text='folder only'/></body></opml>", "without any <outline xmlUrl"),
        ("<opml><body><outline text='&undefined;' xmlUrl='https://a.example/rss'/></body></opml>", "undefined entity"),
    ],
)
def test_an_unusable_opml_file_is_one_failure(tmp_path: Path, text: str, message: str) -> None:
    specs, failures = load_feed_list(write(tmp_path, "subs.opml", text))

    assert specs == []
    (failure,) = failures
    assert message in failure.detail


def test_an_oversized_feed_list_is_refused_unread(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds.yaml", "- https://a.example/rss\n" * 100)

    specs, failures = load_feed_list(path, max_bytes=1000)

    assert (specs, [failure.reason for failure in failures]) == ([], [Reason.TOO_LARGE.value])


def test_a_missing_feed_list_is_a_failure(tmp_path: Path) -> None:
    _, failures = load_feed_list(tmp_path / "nowhere.yaml")

    assert [failure.reason for failure in failures] == [Reason.UNREADABLE_PATH.value]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("feeds.yaml", "- https://a.example/rss", True),
        ("feeds.YML", "", True),
        ("subs.opml", "", True),
        ("subscriptions.xml", '<?xml version="1.0"?>\n<!-- exported -->\n<opml version="2.0"><body/></opml>', True),
        ("doctype.xml", '<!DOCTYPE opml><opml version="2.0"/>', True),
        ("feed.xml", "<rss><channel/></rss>", False),
        ("notes.txt", "plain text", False),
    ],
)
def test_is_feed_list(tmp_path: Path, name: str, content: str, expected: bool) -> None:
    assert is_feed_list(write(tmp_path, name, content)) is expected


def test_folders_and_missing_paths_are_no_feed_lists(tmp_path: Path) -> None:
    assert not is_feed_list(tmp_path)
    assert not is_feed_list(tmp_path / "missing.xml")


def test_an_xml_opml_is_loaded_by_its_content(tmp_path: Path) -> None:
    path = write(tmp_path, "subscriptions.xml", '<opml><body><outline xmlUrl="https://a.example/rss"/></body></opml>')

    specs, failures = load_feed_list(path)

    assert ([spec.url for spec in specs], failures) == (["https://a.example/rss"], [])


@pytest.mark.parametrize("name", ["feeds.example.yaml", "feeds.example.opml"])
def test_the_example_feed_lists_load(name: str) -> None:
    specs, failures = load_feed_list(CONFIGS / name)

    assert failures == []
    assert len(specs) >= 3


@pytest.mark.parametrize(
    ("value", "seconds"), [(300, 300.0), ("300", 300.0), ("90s", 90.0), ("5m", 300.0), ("1h30m", 5400.0), ("1d", 86400.0)]
)
def test_parse_duration(value: str | int, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "5 minutes", "0", "-5m", True])
def test_parse_duration_refuses_nonsense(value: str | bool) -> None:
    with pytest.raises(ValueError):
        parse_duration(value)
