"""The runner of the ``local`` and ``multiprocess`` profiles: Beam's FnApiRunner, started the way
``DirectRunner`` starts it, without ``DirectRunner``'s first attempt at Prism.

In Beam 2.77 ``DirectRunner`` first tries the Prism runner, which it downloads from the internet on
first use (a Go binary fetched at run time), and only falls back to the FnApiRunner when that fails.
Offline the attempt fails at once and costs little; online it would download a binary during a run
and run the job on another engine than the one measured and tested here. The FnApiRunner is what
every local run of newsbeam has been measured on; this names it directly. Its running mode
(``in_memory`` or ``multi_processing``) and worker count still come from Beam's ``DirectOptions``
(``--direct_running_mode``, ``--direct_num_workers``), which the FnApiRunner reads itself. Its
worker processes run ``pipeline.beam_worker``, Beam's worker without its start-up chatter on the
user's terminal.
"""

from __future__ import annotations

import sys

from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.portability import python_urns
from apache_beam.portability.api import beam_provision_api_pb2, beam_runner_api_pb2
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.runners.portability.portable_runner import JobServiceHandle
from apache_beam.runners.runner import PipelineResult, PipelineRunner

# What the runner flag names: Beam imports a dotted path as a runner class.
RUNNER_PATH = f"{__name__}.LocalRunner"
# The worker command the FnApiRunner's multi_processing mode sets (Beam 2.77, fn_runner.py), and ours.
BEAM_WORKER_COMMAND = f"{sys.executable} -m apache_beam.runners.worker.sdk_worker_main"
QUIET_WORKER_COMMAND = f"{sys.executable} -m pipeline.beam_worker"


class _QuietWorkersRunner(fn_runner.FnApiRunner):
    """The FnApiRunner, with Beam's worker command swapped for :mod:`pipeline.beam_worker`. The
    running mode picks the command inside ``run_pipeline``, so it is swapped in the pipeline proto
    that ``run_pipeline`` hands on; any other environment is left as it is."""

    def run_via_runner_api(self, pipeline_proto: beam_runner_api_pb2.Pipeline, options: PipelineOptions):
        for environment in pipeline_proto.components.environments.values():
            if environment.urn == python_urns.SUBPROCESS_SDK and environment.payload == BEAM_WORKER_COMMAND.encode():
                environment.payload = QUIET_WORKER_COMMAND.encode()
        return super().run_via_runner_api(pipeline_proto, options)


class LocalRunner(PipelineRunner):
    """A batch pipeline on the FnApiRunner, in this process or in worker processes."""

    def run_pipeline(self, pipeline, options: PipelineOptions) -> PipelineResult:
        # Worker processes get the pipeline options through the provision info, as DirectRunner
        # passes them; only those set, as a default-valued flag of an options class the worker has not
        # imported would be printed as "Discarding unparseable args" by every worker.
        encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options(drop_default=True))
        provision = fn_runner.ExtendedProvisionInfo(beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded))
        return _QuietWorkersRunner(provision_info=provision).run_pipeline(pipeline, options)
