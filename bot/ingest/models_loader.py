"""NLP models loaded on first use, once per process (no aiogram here: `ingest` stays light)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from bot.analysis.nlp import NlpModels, load_models, load_morph


class LazyModels:
    """Loads the NLP models on first use, once per process, from any thread."""

    def __init__(self, loader: Callable[[], NlpModels] = load_models) -> None:
        self._loader = loader
        self._models: NlpModels | None = None
        self._lock = threading.Lock()

    def __call__(self) -> NlpModels:
        with self._lock:
            if self._models is None:
                self._models = self._loader()
            return self._models

    def loaded(self) -> NlpModels | None:
        """The models if some caller already loaded them, without loading."""
        return self._models


class LazyMorph:
    """Morphology for query words, loaded once: the full models when already loaded, else
    pymorphy alone (no NER at query time: it costs seconds to load and is not needed)."""

    def __init__(self, models: LazyModels, loader: Callable[[], NlpModels] = load_morph) -> None:
        self._models = models
        self._loader = loader
        self._morph: NlpModels | None = None
        self._lock = threading.Lock()

    def __call__(self) -> NlpModels:
        with self._lock:
            if self._morph is None:
                self._morph = self._models.loaded() or self._loader()
            return self._morph
