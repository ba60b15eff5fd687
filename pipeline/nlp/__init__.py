"""NLP: spaCy once per article, then entities and quotes from the parsed Doc."""
