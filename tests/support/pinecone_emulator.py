"""A local emulator of Pinecone's data-plane HTTP API, computed from stored state (for the real SDK).

Speaks the JSON the ``pinecone`` SDK sends (``X-Pinecone-Api-Version`` 2025-10 and later; the
shapes have been stable since SDK 7): ``POST /vectors/upsert``, ``POST /query``,
``POST /vectors/delete``, ``GET /vectors/fetch``, ``POST /describe_index_stats``. Scores are real
cosine similarities over the stored vectors; filters are evaluated on stored metadata
(``$eq $ne $gt $gte $lt $lte $in $nin $exists $and $or``, and ``{"field": value}`` for ``$eq``).
Requests without the API key get 401, as the service answers.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.support.http import serving

API_KEY = "pc-test-key"


@dataclass
class PineconeEmulator:
    """One index (cosine metric): namespace -> id -> (values, metadata); every request recorded."""

    dimension: int
    namespaces: dict[str, dict[str, tuple[list[float], dict[str, Any]]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    @property
    def host(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def upsert(self, body: dict[str, Any]) -> dict[str, Any]:
        space = self.namespaces.setdefault(body.get("namespace", ""), {})
        for vector in body["vectors"]:
            if len(vector["values"]) != self.dimension:
                size = len(vector["values"])
                raise ValueError(f"Vector dimension {size} does not match the dimension of the index {self.dimension}")
            space[vector["id"]] = (list(vector["values"]), dict(vector.get("metadata") or {}))
        return {"upsertedCount": len(body["vectors"])}

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        space = self.namespaces.get(body.get("namespace", ""), {})
        query = body["vector"]
        condition = body.get("filter") or {}
        scored = [
            (cosine(query, values), vid, values, metadata)
            for vid, (values, metadata) in space.items()
            if matches(metadata, condition)
        ]
        scored.sort(key=lambda item: -item[0])
        result = []
        for score, vid, values, metadata in scored[: body["topK"]]:
            match: dict[str, Any] = {"id": vid, "score": score, "values": values if body.get("includeValues") else []}
            if body.get("includeMetadata"):
                match["metadata"] = metadata
            result.append(match)
        return {"matches": result, "namespace": body.get("namespace", ""), "usage": {"readUnits": 5}}

    def delete(self, body: dict[str, Any]) -> dict[str, Any]:
        space = self.namespaces.get(body.get("namespace", ""), {})
        if body.get("deleteAll"):
            space.clear()
        for vid in body.get("ids") or []:
            space.pop(vid, None)
        if body.get("filter"):
            for vid in [v for v, (_, metadata) in space.items() if matches(metadata, body["filter"])]:
                del space[vid]
        return {}

    def fetch(self, ids: list[str], namespace: str) -> dict[str, Any]:
        space = self.namespaces.get(namespace, {})
        vectors = {vid: {"id": vid, "values": space[vid][0], "metadata": space[vid][1]} for vid in ids if vid in space}
        return {"vectors": vectors, "namespace": namespace, "usage": {"readUnits": 1}}

    def stats(self, body: dict[str, Any]) -> dict[str, Any]:
        condition = body.get("filter") or {}
        counts = {
            name: sum(1 for _, metadata in space.values() if matches(metadata, condition))
            for name, space in self.namespaces.items()
            if space
        }
        return {
            "namespaces": {(name or "__default__"): {"vectorCount": n} for name, n in counts.items()},
            "dimension": self.dimension,
            "indexFullness": 0.0,
            "totalVectorCount": sum(counts.values()),
            "metric": "cosine",
            "vectorType": "dense",
        }


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


def matches(metadata: dict[str, Any], condition: dict[str, Any]) -> bool:
    """Pinecone's metadata filter language, evaluated."""
    for key, expected in condition.items():
        if key == "$and":
            if not all(matches(metadata, c) for c in expected):
                return False
        elif key == "$or":
            if not any(matches(metadata, c) for c in expected):
                return False
        elif isinstance(expected, dict):
            if not all(_compare(metadata, key, op, value) for op, value in expected.items()):
                return False
        elif not _compare(metadata, key, "$eq", expected):
            return False
    return True


def _compare(metadata: dict[str, Any], key: str, op: str, value: Any) -> bool:
    present = key in metadata
    actual = metadata.get(key)
    values = actual if isinstance(actual, list) else [actual]
    if op == "$exists":
        return present is bool(value)
    if op == "$eq":
        return present and value in values
    if op == "$ne":
        return not present or value not in values
    if op == "$in":
        return present and any(v in value for v in values)
    if op == "$nin":
        return not present or not any(v in value for v in values)
    if not present or not isinstance(actual, int | float):
        return False
    return {"$gt": actual > value, "$gte": actual >= value, "$lt": actual < value, "$lte": actual <= value}[op]


def _handler(index: PineconeEmulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _route(self, method: str) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}") if length else {}
            index.requests.append((method, url.path, body))
            if self.headers.get("Api-Key") != API_KEY:
                self._answer(401, {"error": {"code": "UNAUTHENTICATED", "message": "Invalid API Key"}, "status": 401})
                return
            routes = {
                ("POST", "/vectors/upsert"): index.upsert,
                ("POST", "/query"): index.query,
                ("POST", "/vectors/delete"): index.delete,
                ("POST", "/describe_index_stats"): index.stats,
            }
            try:
                with index.lock:
                    if method == "GET" and url.path == "/vectors/fetch":
                        params = parse_qs(url.query)
                        result = index.fetch(params.get("ids", []), params.get("namespace", [""])[0])
                    elif (method, url.path) in routes:
                        result = routes[(method, url.path)](body)
                    else:
                        self._answer(404, {"error": {"code": "NOT_FOUND", "message": url.path}, "status": 404})
                        return
            except (KeyError, ValueError, TypeError) as error:
                self._answer(400, {"error": {"code": "INVALID_ARGUMENT", "message": str(error)}, "status": 400})
                return
            self._answer(200, result)

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            self._route("POST")

        def do_GET(self) -> None:  # noqa: N802
            self._route("GET")

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@contextmanager
def pinecone_emulator(dimension: int) -> Iterator[PineconeEmulator]:
    """A fresh emulated index of ``dimension`` on a free port for the ``with`` block."""
    index = PineconeEmulator(dimension)
    with serving(_handler(index)) as port:
        index.port = port
        yield index
