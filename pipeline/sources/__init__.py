"""Readers: turn inputs (paths, globs, URLs) into RawDocuments."""
