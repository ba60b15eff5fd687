"""One validated configuration: packaged defaults, then a user's YAML file, then ``--set`` overrides.

Every setting has a default in ``pipeline/default.yaml`` (shipped inside the package so that remote
workers have it too); a user file only overrides what it names, and an unknown key is an error, not
a silent no-op.
"""

from __future__ import annotations

import ipaddress
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class ConfigError(ValueError):
    """A configuration that cannot be used; the message is meant for the user, in one line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JsonFields(_Strict):
    """Which JSON keys hold which article field; the first key present wins. Dotted keys reach into objects."""

    title: list[str]
    body: list[str]
    url: list[str]
    published: list[str]
    source: list[str]
    authors: list[str]
    summary: list[str]
    language: list[str]
    id: list[str]


class InputSettings(_Strict):
    max_file_bytes: int = Field(gt=0)  # a file (after decompression) larger than this is a failure
    max_article_chars: int = Field(gt=0)  # an article body longer than this is a failure
    fallback_encoding: str  # tried after BOM, declared charset and UTF-8
    files_per_run: int = Field(gt=0)  # a larger input runs as several pipelines, to bound memory
    json_fields: JsonFields
    # The date an article that gives none of its own is filed under: "ingested" (the run's time) or
    # "modified" (its file's modification time; the run's time where a file has none, in a bucket).
    undated: Literal["ingested", "modified"] = "ingested"
    # Folder or file (or bucket prefix) -> the source of the articles read from it, unless an
    # article names its own; the longest matching path wins.
    sources: dict[str, str] = Field(default_factory=dict)


class NlpSettings(_Strict):
    # language (ISO 639-1) -> an installed spaCy pipeline name, or a path to one. An article in a
    # language with no pipeline here is stored without entities and quotes, never read by another
    # language's rules.
    pipelines: dict[str, str] = Field(min_length=1)
    batch_size: int = Field(gt=0)
    # components the extraction does not need; the rest of the pipeline never runs them
    disable: list[str]
    shards: int = Field(gt=0)  # how many groups the articles are spread over for batched NLP

    @field_validator("pipelines")
    @classmethod
    def _languages_with_rules(cls, pipelines: dict[str, str]) -> dict[str, str]:
        from pipeline.nlp.language import EXTRACTION_LANGUAGES

        unsupported = sorted(set(pipelines) - EXTRACTION_LANGUAGES)
        if unsupported:
            raise ValueError(f"no quote and entity rules for {', '.join(unsupported)} "
                             f"(languages with rules: {', '.join(sorted(EXTRACTION_LANGUAGES))})")
        return pipelines


class HttpSettings(_Strict):
    user_agent: str
    connect_timeout: float = Field(gt=0)
    read_timeout: float = Field(gt=0)  # bounds each read, not the response: a slow peer sends a byte within it
    response_deadline_seconds: float = Field(gt=0)  # bounds one whole response, from connecting to its last byte
    max_redirects: int = Field(ge=0)
    max_retries: int = Field(ge=0)
    backoff_seconds: float = Field(ge=0)
    max_response_bytes: int = Field(gt=0)
    min_host_delay: float = Field(ge=0)  # politeness: seconds between two requests to one host
    allow_private_hosts: bool
    # Addresses or networks ("10.1.2.3", "10.20.0.0/16") fetched although private: an intranet feed
    # server. Every other private address stays refused, also when a trusted host redirects to it.
    trusted_networks: list[str] = []
    fetch_full_text: bool

    @field_validator("trusted_networks")
    @classmethod
    def _networks(cls, networks: list[str]) -> list[str]:
        for network in networks:
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError:
                raise ValueError(f"{network!r} is no IP address or network (host names are not trusted, addresses are)") from None
        return networks


class RunnerSettings(_Strict):
    name: Literal["local", "multiprocess", "dask", "dataflow", "flink", "spark"]
    workers: int = Field(gt=0)
    dask_address: Optional[str] = None
    options: list[str] = []  # extra Beam pipeline options, passed through as they are


class WatchSettings(_Strict):
    interval_seconds: float = Field(gt=0)
    cycle_deadline_seconds: float = Field(gt=0)  # bounds a cycle's fetching; the run over what was fetched follows


class StorageSettings(_Strict):
    # fsspec options for s3:// and gs:// locations (endpoint_url, key, secret, region, token, ...);
    # what is left out comes from the usual environment variables and credential files.
    options: dict[str, Any] = {}
    compact_after_files: int = Field(gt=0)  # a partition with more small files than this is compacted


class Settings(_Strict):
    output: str
    inputs: list[str] = []
    input: InputSettings
    nlp: NlpSettings
    http: HttpSettings
    runner: RunnerSettings
    watch: WatchSettings
    storage: StorageSettings


def default_config_text() -> str:
    return resources.files("pipeline").joinpath("default.yaml").read_text(encoding="utf-8")


def load_settings(
    config_file: Optional[str | Path] = None,
    overrides: Optional[list[str]] = None,
    *,
    values: Optional[dict[str, Any]] = None,
) -> Settings:
    """Defaults, then ``config_file``, then ``key.sub=value`` overrides (read as YAML, as a user types
    them), then ``values``: typed settings by dotted key, taken as they are (the CLI's own options:
    ``--output 2024`` is the folder "2024", not the number); raises ConfigError."""
    data = yaml.safe_load(default_config_text())
    if config_file is not None:
        path = Path(config_file)
        try:
            user = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as error:
            raise ConfigError(f"cannot read config file {path}: {error.strerror}") from None
        except yaml.YAMLError as error:
            raise ConfigError(f"config file {path} is not valid YAML: {error}") from None
        if not isinstance(user, dict):
            raise ConfigError(f"config file {path} must hold a mapping at its top level")
        data = merge(data, user)
    for override in overrides or []:
        data = merge(data, parse_override(override))
    for key, value in (values or {}).items():
        data = merge(data, _nested(key, value))
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ConfigError(f"config: {where}: {first['msg']} ({error.error_count()} error(s) in all)") from None


def parse_override(override: str) -> dict[str, Any]:
    """``nlp.batch_size=64`` -> {"nlp": {"batch_size": 64}}; the value is read as YAML."""
    key, sep, raw_value = override.partition("=")
    if not sep or not key.strip():
        raise ConfigError(f"--set expects key=value, got {override!r}")
    try:
        value = yaml.safe_load(raw_value) if raw_value.strip() else ""
    except yaml.YAMLError:
        value = raw_value
    return _nested(key, value)


def _nested(key: str, value: Any) -> dict[str, Any]:
    """``"nlp.batch_size", 64`` -> {"nlp": {"batch_size": 64}}."""
    nested: dict[str, Any] = {}
    cursor = nested
    parts = key.strip().split(".")
    for part in parts[:-1]:
        cursor = cursor.setdefault(part, {})
    cursor[parts[-1]] = value
    return nested


def merge(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, anything else in ``update`` replaces."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
