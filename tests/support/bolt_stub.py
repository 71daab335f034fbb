"""A scripted Bolt server (boltkit's stub, Bolt 3) that the real ``neo4j`` driver talks to.

:func:`bolt_stub` takes the exchanges a test expects — each statement, its parameters and the
records to answer with — writes boltkit's script for them and serves it: a statement or a
parameter the driver sends that is not the scripted one ends the script with an error the
driver sees, and :attr:`BoltStub.exit_code` tells which.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from boltkit.server import StubServer


@dataclass(frozen=True)
class Exchange:
    """One read transaction: the statement and parameters expected, the records answered."""

    statement: str
    parameters: dict[str, Any]
    fields: Sequence[str]
    records: Sequence[Sequence[Any]]


def script(exchanges: Sequence[Exchange], *, timeout_ms: int) -> str:
    """boltkit's script: handshake and housekeeping answered automatically, then each read transaction."""
    lines = ["!: BOLT 3", "!: AUTO HELLO", "!: AUTO RESET", "!: AUTO GOODBYE", ""]
    for n, exchange in enumerate(exchanges):
        begin: dict[str, Any] = {"mode": "r", "tx_timeout": timeout_ms}
        if n:  # execute_query chains its transactions causally: each after the previous one's bookmark
            begin["bookmarks"] = ["bm1"]
        lines += [
            f"C: BEGIN {json.dumps(begin)}",
            f"   RUN {json.dumps(exchange.statement)} {json.dumps(exchange.parameters)} {{}}",
            "   PULL_ALL",
            "S: SUCCESS {}",
            f"   SUCCESS {json.dumps({'fields': list(exchange.fields)})}",
            *(f"   RECORD {json.dumps(list(record))}" for record in exchange.records),
            '   SUCCESS {"type": "r"}',
            "C: COMMIT",
            'S: SUCCESS {"bookmark": "bm1"}',
            "",
        ]
    return "\n".join(lines)


@dataclass
class BoltStub:
    server: StubServer

    @property
    def uri(self) -> str:
        host, port = self.server.server.getsockname()[:2]
        return f"bolt://{host}:{port}"

    @property
    def unplayed(self) -> int:
        """Script lines the driver has not reached."""
        return len(self.server.script.lines)

    @property
    def exit_code(self) -> int:
        return int(self.server.exit_code)


@contextmanager
def bolt_stub(exchanges: Sequence[Exchange], *, timeout_ms: int) -> Iterator[BoltStub]:
    """Serve the exchanges on a free loopback port for the block."""
    with TemporaryDirectory() as directory:
        path = Path(directory) / "script.bolt"
        path.write_text(script(exchanges, timeout_ms=timeout_ms))
        server = StubServer(("127.0.0.1", 0), str(path), timeout=30)
        server.daemon = True
        server.start()
        try:
            yield BoltStub(server)
        finally:
            server.stop()
            server.join(timeout=5)
