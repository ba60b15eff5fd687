"""Evaluations that score the dataset as a whole rather than one article's extraction."""
