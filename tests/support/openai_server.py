"""A local OpenAI-compatible server: scripted chat replies, computed embeddings, recorded requests (for litellm)."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.http import serving


@dataclass
class Reply:
    """One scripted answer: a chat completion with ``content``, an HTTP error ``status``, or a ``delay``."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0


@dataclass
class OpenAIServer:
    """Answers ``POST /v1/chat/completions`` with the next scripted reply (the last one repeats)."""

    replies: list[Reply]
    requests: list[dict[str, Any]] = field(default_factory=list)
    port: int = 0

    @property
    def api_base(self) -> str:
        """The ``api_base`` litellm should use."""
        return f"http://127.0.0.1:{self.port}/v1"

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


def _handler(server: OpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            server.requests.append(body)
            if self.path.endswith("/embeddings"):
                self._embeddings(body)
                return
            reply = server.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if reply.status != 200:
                payload: dict[str, Any] = {"error": {"message": "scripted failure", "type": "server_error"}}
            else:
                payload = {
                    "id": f"chatcmpl-{len(server.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "local"),
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": reply.content},
                        }
                    ],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 40, "total_tokens": 160},
                }
            data = json.dumps(payload).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def _embeddings(self, body: dict[str, Any]) -> None:
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            payload = {
                "object": "list",
                "model": body.get("model", "local"),
                "data": [
                    {"object": "embedding", "index": i, "embedding": bag_of_words(t)} for i, t in enumerate(texts)
                ],
                "usage": {"prompt_tokens": sum(len(t.split()) for t in texts), "total_tokens": 0},
            }
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


#: Dimension of the server's embeddings.
EMBEDDING_DIMENSION = 256


def bag_of_words(text: str) -> list[float]:
    """A real (if simple) embedding: each lower-cased word counted into a hashed bucket."""
    vector = [0.0] * EMBEDDING_DIMENSION
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % EMBEDDING_DIMENSION] += 1.0
    return vector


@contextmanager
def openai_server(*replies: Reply) -> Iterator[OpenAIServer]:
    """Run the server on a free loopback port for the block."""
    server = OpenAIServer(list(replies))
    with serving(_handler(server)) as port:
        server.port = port
        yield server
