"""Build the Dataflow job of `newsbeam run` without submitting it (Beam's --dry_run), and print what
it holds as JSON: run inside a virtualenv that has apache-beam[gcp] (tests/e2e/test_dataflow_job.py).

    python tests/dataflow_job.py BUCKET INPUT_URL OUTPUT_URL
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def paths_in_graph(pipeline) -> list[str]:
    """Every input path and dataset location the graph's transforms were built with."""
    from apache_beam.pipeline import PipelineVisitor

    from pipeline.storage.location import Location

    found: list[str] = []

    class Visitor(PipelineVisitor):
        def enter_composite_transform(self, node) -> None:
            self.visit_transform(node)

        def visit_transform(self, node) -> None:
            for value in getattr(node.transform, "__dict__", {}).values():
                if isinstance(value, Location):
                    found.append(value.url)
                elif isinstance(value, list) and value and all(isinstance(item, str) for item in value) and node.full_label.startswith("ReadFiles"):
                    found.extend(value)

    pipeline.visit(Visitor())
    return sorted(set(found))


def main(bucket: str, input_url: str, output_url: str) -> int:
    from apache_beam.options.pipeline_options import GoogleCloudOptions

    from pipeline.config import load_settings
    from pipeline.run import build_pipeline
    from pipeline.runner_options import pipeline_options
    from pipeline.sources.plan import plan_inputs

    settings = load_settings(
        REPO / "configs" / "runners" / "dataflow.yaml",
        [f"output={output_url}"],
    )
    options = [
        "--project=newsbeam-test",
        "--region=europe-west1",
        f"--temp_location=gs://{bucket}/newsbeam/tmp",
        f"--staging_location=gs://{bucket}/newsbeam/staging",
        "--dry_run=True",
    ]
    settings = settings.model_copy(update={"runner": settings.runner.model_copy(update={"options": options})})
    plan = plan_inputs([input_url], storage_options=settings.storage.options)
    pipeline = build_pipeline(settings, plan, run_id="dry-run", started_at=datetime.now(timezone.utc),
                              options=pipeline_options(settings))
    graph_paths = paths_in_graph(pipeline)
    result = pipeline.run()
    cloud = result.job.options.view_as(GoogleCloudOptions)
    print(json.dumps({
        "runner": type(pipeline.runner).__name__,
        "state": str(result.state),
        "job_name": result.job.proto.name,
        "temp_location": cloud.temp_location,
        "staging_location": cloud.staging_location,
        "transforms": len(result.job.proto_pipeline.components.transforms),
        "graph_paths": graph_paths,
        "inputs": plan.paths,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
