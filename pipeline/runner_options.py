"""Beam options for the configured runner (``runner.*`` settings): the only place a runner is named."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.config import Settings
from pipeline.local_runner import RUNNER_PATH as LOCAL_RUNNER


def pipeline_options(settings: Settings) -> PipelineOptions:
    """Beam options for the configured runner. The runner is always named: Beam's default and its
    DirectRunner first try to download and start Prism (pipeline/local_runner.py)."""
    runner = settings.runner
    if runner.name == "local":
        flags = [f"--runner={LOCAL_RUNNER}", "--direct_running_mode=in_memory", "--direct_num_workers=1"]
    elif runner.name == "multiprocess":
        flags = [
            f"--runner={LOCAL_RUNNER}",
            "--direct_running_mode=multi_processing",
            f"--direct_num_workers={runner.workers}",
            # What workers log reaches the user through the launcher's logging. Beam's worker
            # warns at every start ("No semi_persistent_directory found", about a staging folder
            # only remote runners have): keep Beam's errors and newsbeam's own warnings.
            "--default_sdk_harness_log_level=ERROR",
            '--sdk_harness_log_level_overrides={"pipeline": "WARNING"}',
        ]
    elif runner.name == "dask":
        if not runner.dask_address:
            raise ValueError("runner dask needs runner.dask_address (or --dask-address tcp://HOST:8786)")
        try:  # Beam's Dask runner imports them only when the job starts, as a traceback deep in Beam
            import dask.bag  # noqa: F401
            import distributed  # noqa: F401
        except ImportError as missing:
            raise ValueError(f"runner dask needs the {missing.name} package: pip install 'newsbeam[dask]'") from None
        flags = ["--runner=apache_beam.runners.dask.dask_runner.DaskRunner", f"--dask_client_address={runner.dask_address}"]
    else:
        names = {"dataflow": "DataflowRunner", "flink": "FlinkRunner", "spark": "SparkRunner"}
        flags = [f"--runner={names[runner.name]}"]
    return PipelineOptions([*flags, *runner.options])
