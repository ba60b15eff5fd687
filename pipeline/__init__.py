"""newsbeam: a news ingestion pipeline on Apache Beam.

Read articles from files and feeds, find who said what about whom, and write a partitioned
Parquet dataset. See README.md and docs/.
"""

__version__ = "0.1.0"
