"""Parsers: turn RawDocuments into Articles (or Failures)."""
