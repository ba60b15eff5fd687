"""Every runner profile in configs/runners/ loads, and names its runner with the right flags.

Nothing here runs a pipeline or reaches a cluster: the profiles of the runners that cannot be
reached from these machines (dataflow, flink, spark) are checked as configuration only.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import (
    DirectOptions,
    FlinkRunnerOptions,
    GoogleCloudOptions,
    PortableOptions,
    SetupOptions,
    SparkRunnerOptions,
    StandardOptions,
)

from pipeline.config import ConfigError, load_settings
from pipeline.runner_options import pipeline_options

PROFILES = Path(__file__).resolve().parents[2] / "configs" / "runners"
NAMES = ["local", "multiprocess", "dask", "dataflow", "flink", "spark"]


def _options(name: str, overrides: list[str] | None = None):
    settings = load_settings(PROFILES / f"{name}.yaml", overrides)
    return settings, pipeline_options(settings)


def test_there_is_one_profile_per_runner() -> None:
    assert sorted(path.stem for path in PROFILES.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_profile_loads_and_names_its_runner(name: str) -> None:
    settings, options = _options(name)
    assert settings.runner.name == name
    runner = options.view_as(StandardOptions).runner
    expected = {
        "local": "pipeline.local_runner.LocalRunner",
        "multiprocess": "pipeline.local_runner.LocalRunner",
        "dask": "apache_beam.runners.dask.dask_runner.DaskRunner",
        "dataflow": "DataflowRunner",
        "flink": "FlinkRunner",
        "spark": "SparkRunner",
    }[name]
    assert runner == expected


def test_local_runs_in_memory_in_one_process() -> None:
    direct = _options("local")[1].view_as(DirectOptions)
    assert (direct.direct_running_mode, direct.direct_num_workers) == ("in_memory", 1)


def test_multiprocess_runs_worker_processes_and_workers_overrides_them() -> None:
    direct = _options("multiprocess")[1].view_as(DirectOptions)
    assert (direct.direct_running_mode, direct.direct_num_workers) == ("multi_processing", 2)
    direct = _options("multiprocess", ["runner.workers=4"])[1].view_as(DirectOptions)
    assert direct.direct_num_workers == 4


def test_dask_passes_the_scheduler_address_and_the_cli_address_wins() -> None:
    from apache_beam.runners.dask.dask_runner import DaskOptions

    dask = _options("dask", ["runner.dask_address=tcp://10.0.0.5:8786"])[1].view_as(DaskOptions)
    assert dask.get_all_options(drop_default=True, current_only=True) == {"address": "tcp://10.0.0.5:8786", "timeout": 30}


def test_dask_without_an_address_is_a_clear_error() -> None:
    settings = load_settings(PROFILES / "dask.yaml", ["runner.dask_address=null"])
    with pytest.raises(ValueError, match="dask_address"):
        pipeline_options(settings)


def test_dask_without_the_dask_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules is how Python refuses an import: here, an environment without the extra.
    monkeypatch.setitem(sys.modules, "distributed", None)
    settings = load_settings(PROFILES / "dask.yaml", ["runner.dask_address=tcp://127.0.0.1:8786"])
    with pytest.raises(ValueError, match=r"^runner dask needs the distributed package: pip install 'newsbeam\[dask\]'$"):
        pipeline_options(settings)


def test_dataflow_has_what_a_user_must_fill_in_and_stages_setup_py() -> None:
    options = _options("dataflow")[1]
    gcp = options.view_as(GoogleCloudOptions)
    assert gcp.project and gcp.region and gcp.temp_location.startswith("gs://")
    assert options.view_as(SetupOptions).setup_file == "./setup.py"


def test_flink_names_its_master_job_server_and_sdk_environment() -> None:
    options = _options("flink")[1]
    flink = options.view_as(FlinkRunnerOptions)
    assert flink.flink_master.endswith(":8081") and flink.flink_job_server_jar.endswith(".jar")
    assert options.view_as(PortableOptions).environment_type == "DOCKER"
    assert options.view_as(SetupOptions).setup_file == "./setup.py"


def test_spark_names_its_master_job_server_and_sdk_environment() -> None:
    options = _options("spark")[1]
    spark = options.view_as(SparkRunnerOptions)
    assert spark.spark_master_url.startswith("spark://") and spark.spark_job_server_jar.endswith(".jar")
    assert options.view_as(PortableOptions).environment_type == "DOCKER"


@pytest.mark.parametrize("name", NAMES)
def test_profile_keeps_every_other_default(name: str) -> None:
    """A profile overrides the runner (and, for dask, the shard count); nothing else drifts."""
    settings = load_settings(PROFILES / f"{name}.yaml")
    defaults = load_settings()
    assert settings.input == defaults.input and settings.http == defaults.http
    assert settings.nlp.pipelines == defaults.nlp.pipelines and settings.output == defaults.output


def test_an_unknown_runner_key_in_a_profile_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("runner:\n  name: dask\n  scheduler: tcp://x:1\n")
    with pytest.raises(ConfigError, match="runner.scheduler"):
        load_settings(bad)
