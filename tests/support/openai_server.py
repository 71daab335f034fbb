"""A local OpenAI-compatible HTTP server: scripted replies, recorded requests (for litellm's real client)."""

from __future__ import annotations

import json
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

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def openai_server(*replies: Reply) -> Iterator[OpenAIServer]:
    """Run the server on a free loopback port for the block."""
    server = OpenAIServer(list(replies))
    with serving(_handler(server)) as port:
        server.port = port
        yield server
