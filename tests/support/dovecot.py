"""A real Dovecot IMAP server on loopback, started for a test and stopped after it.

Debian's ``dovecot-imapd`` runs unprivileged: the whole server runs as ``nobody`` (setpriv),
with a static password for every user and Maildir storage under a temporary folder.
"""

from __future__ import annotations

import imaplib
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.waiting import wait_for

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "imap-test-password"

CONFIG = """
base_dir = {root}/run
state_dir = {root}/run/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
default_internal_user = nobody
default_login_user = nobody
default_internal_group = nogroup
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


@dataclass
class Dovecot:
    """A running server: where it listens and how to put mail in a user's folder."""

    port: int
    root: Path

    def append(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        with imaplib.IMAP4("127.0.0.1", self.port) as client:
            client.login(user, PASSWORD)
            client.create(folder)  # NO if it exists: fine
            client.append(folder, None, None, raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))

    def recreate(self, user: str, folder: str = "INBOX.Quotes") -> None:
        """Delete and create ``folder`` again: the server gives it a new UIDVALIDITY."""
        with imaplib.IMAP4("127.0.0.1", self.port) as client:
            client.login(user, PASSWORD)
            client.delete(folder)
            client.create(folder)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def dovecot() -> Iterator[Dovecot]:
    """Start Dovecot (a missing one fails the test, it never skips)."""
    assert shutil.which(DOVECOT) or Path(DOVECOT).exists(), "dovecot is missing: apt-get install dovecot-imapd"
    root = Path(tempfile.mkdtemp(prefix="partsiq-dovecot-"))
    port = _free_port()
    (root / "run" / "state").mkdir(parents=True)
    (root / "mail").mkdir()
    (root / "dovecot.conf").write_text(CONFIG.format(root=root, port=port, password=PASSWORD))
    subprocess.run(["chown", "-R", "nobody:nogroup", str(root)], check=True)
    root.chmod(0o755)
    proc = subprocess.Popen(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            DOVECOT,
            "-F",
            "-c",
            str(root / "dovecot.conf"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                return s.recv(100).startswith(b"* OK")
        except OSError:
            return False

    try:
        wait_for(listening, timeout=20, what="dovecot to listen")
        yield Dovecot(port, root)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)
