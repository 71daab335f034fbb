"""Part numbers as people type them, reduced to one comparable form.

``1R-0750``, ``1r0750`` and ``1R 0750`` are the same part: the normalised form keeps
letters and digits only, upper-cased. The catalog stores it beside the number as given;
quote extraction and search compare on it.
"""

from __future__ import annotations

import re

_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")


def normalize(part_number: str) -> str:
    """``" 1r-0750 "`` -> ``"1R0750"``."""
    return _NOT_ALNUM.sub("", part_number).upper()
