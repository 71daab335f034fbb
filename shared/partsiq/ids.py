"""Identifiers in the style of Prisma's ``cuid()``: short, URL-safe, roughly time-ordered."""

from __future__ import annotations

import secrets
import time

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def _base36(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 36)
        digits.append(_ALPHABET[digit])
    return "".join(reversed(digits))


def new_id() -> str:
    """A 25-character id: ``c``, 8 base-36 characters of milliseconds, 16 random ones (82 bits)."""
    return f"c{_base36(int(time.time() * 1000), 8)}{_base36(secrets.randbits(82), 16)}"
