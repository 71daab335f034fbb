"""IMAP (imapclient): suppliers' mail on servers other than Google's, incremental by UID.

State: the folder's ``UIDVALIDITY`` and the last UID stored. ``UID last+1:*`` always
includes the highest UID, so results are filtered to ``> last``. A changed ``UIDVALIDITY``
means the server renumbered the folder: the whole folder is read again, and messages whose
Message-ID is already stored are recognised as duplicates. Bodies are fetched with
``BODY.PEEK[]`` (the Seen flag is left alone) after their ``RFC822.SIZE`` is checked.
A refused login marks the mailbox for re-authorisation.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from email_monitor.settings import EmailMonitorSettings
from email_monitor.sources.base import Fetched, Page, Ref, Rejected, SourceRevoked, Usage

log = logging.getLogger("email_monitor.imap")


class ImapSource:
    """One IMAP folder; ``config``: host, port, ssl, folder; ``credentials``: username, password."""

    kind = "imap"

    def __init__(self, config: dict[str, Any], credentials: dict[str, Any], settings: EmailMonitorSettings) -> None:
        self.config = config
        self.credentials = credentials
        self.settings = settings
        self.folder = str(config.get("folder") or "INBOX")
        self.usage = Usage()
        self.uid_validity: int | None = None
        self._client: Any = None

    def _connect(self) -> Any:
        if self._client is None:
            from imapclient import IMAPClient
            from imapclient.exceptions import LoginError

            client = IMAPClient(
                self.config["host"], port=int(self.config.get("port", 993)), ssl=bool(self.config.get("ssl", True)),
                timeout=30,
            )  # fmt: skip
            try:
                client.login(self.credentials["username"], self.credentials["password"])
            except LoginError as error:
                client.shutdown()
                raise SourceRevoked(f"the IMAP server refused the login: {error}") from None
            info = client.select_folder(self.folder, readonly=True)
            self.uid_validity = int(info[b"UIDVALIDITY"])
            self.usage.requests += 2
            self._client = client
        return self._client

    def pages(self, state: dict[str, Any]) -> Iterator[Page]:
        """UIDs above the stored one (all of them after a UIDVALIDITY change), oldest first."""
        client = self._connect()
        last = int(state.get("lastUid", 0))
        resync = state.get("uidValidity") is not None and state["uidValidity"] != self.uid_validity
        if resync:
            log.warning("UIDVALIDITY of %s changed (%s -> %s): reading the folder again", self.folder,
                        state["uidValidity"], self.uid_validity)  # fmt: skip
            last = 0
        uids = sorted(uid for uid in client.search(["UID", f"{last + 1}:*"]) if uid > last)
        self.usage.requests += 1
        size = self.settings.mail_list_page_size
        if not uids:
            yield Page([], {"uidValidity": self.uid_validity, "lastUid": last})
            return
        for start in range(0, len(uids), size):
            chunk = uids[start : start + size]
            refs = [Ref(self._id(uid), resync=resync) for uid in chunk]
            yield Page(refs, {"uidValidity": self.uid_validity, "lastUid": chunk[-1]})

    def _id(self, uid: int) -> str:
        return f"imap:{self.folder}:{self.uid_validity}:{uid}"

    def fetch(self, refs: list[Ref]) -> list[Fetched | Rejected]:
        """Sizes first, then the bodies of those within the limit."""
        client = self._connect()
        uids = {int(ref.external_id.rsplit(":", 1)[1]): ref for ref in refs}
        sizes = client.fetch(list(uids), ["RFC822.SIZE"])
        within = [
            uid for uid in uids if sizes.get(uid, {}).get(b"RFC822.SIZE", 0) <= self.settings.mail_max_message_bytes
        ]
        bodies = client.fetch(within, ["BODY.PEEK[]"]) if within else {}
        self.usage.requests += 2 if within else 1
        results: list[Fetched | Rejected] = []
        for uid, ref in uids.items():
            size = sizes.get(uid, {}).get(b"RFC822.SIZE")
            if size is None:
                results.append(Rejected(ref, "message vanished from the folder before it could be fetched"))
            elif uid not in bodies:
                results.append(
                    Rejected(
                        ref, f"message is {size} bytes, over the {self.settings.mail_max_message_bytes}-byte limit"
                    )
                )
            else:
                results.append(Fetched(ref, bytes(bodies[uid][b"BODY[]"])))
        return results

    def close(self) -> None:
        """Log out."""
        if self._client is not None:
            try:
                self._client.logout()
            except Exception:  # noqa: BLE001 (a broken connection needs no goodbye)
                self._client.shutdown()
            self._client = None

    def credentials_changed(self) -> dict[str, Any] | None:
        """A password does not change during a sync."""
        return None
