"""The embedded default: a folder of ``.eml`` files or a Maildir, read with no account anywhere.

Every file is a message; its id is its path relative to the folder. Each sync lists the
folder and the caller skips ids already stored, so a file copied in with an old timestamp is
never missed (a listing is cheap at the sizes a local folder holds).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from email_monitor.sources.base import Fetched, Page, Ref, Rejected, Usage


class LocalMailbox:
    """``path``: a folder of ``*.eml`` files, or a Maildir (``new/`` and ``cur/``)."""

    kind = "local"

    def __init__(self, path: Path, *, page_size: int = 50, max_bytes: int = 30 * 1024 * 1024) -> None:
        self.path = path
        self.page_size = page_size
        self.max_bytes = max_bytes
        self.usage = Usage()

    def _files(self) -> list[Path]:
        if not self.path.is_dir():
            raise FileNotFoundError(f"local mailbox folder {self.path} does not exist")
        files = [p for p in self.path.glob("*.eml") if p.is_file()]
        for sub in ("new", "cur"):
            if (self.path / sub).is_dir():
                files += [p for p in (self.path / sub).iterdir() if p.is_file() and not p.name.startswith(".")]
        return sorted(files, key=lambda p: str(p.relative_to(self.path)))

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        """Every file, in name order, ``page_size`` at a time."""
        files = self._files()
        for start in range(0, len(files), self.page_size):
            chunk = files[start : start + self.page_size]
            refs = [Ref(f"local:{p.relative_to(self.path)}") for p in chunk]
            yield Page(refs, {"files": len(files), "last": refs[-1].external_id})

    def fetch(self, refs: list[Ref]) -> list[Fetched | Rejected]:
        """Read each file (a vanished, unreadable or oversized one is rejected with the reason)."""
        results: list[Fetched | Rejected] = []
        for ref in refs:
            path = self.path / ref.external_id.removeprefix("local:")
            try:
                size = path.stat().st_size
                if size > self.max_bytes:
                    results.append(Rejected(ref, f"message is {size} bytes, over the {self.max_bytes}-byte limit"))
                    continue
                results.append(Fetched(ref, path.read_bytes()))
                self.usage.requests += 1
            except OSError as error:
                results.append(Rejected(ref, f"cannot read {path.name}: {error.strerror or error}"))
        return results

    def close(self) -> None:
        """Nothing is held open."""

    def credentials_changed(self) -> dict[str, Any] | None:
        """A folder has no credentials."""
        return None
