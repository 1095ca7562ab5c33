"""The CJK font the papers are printed in, found on the machine at run time.

ReportLab embeds TrueType outlines only (not the CFF outlines of Noto CJK's OpenType files), so the
list holds Debian's TrueType CJK fonts, best first. ``ORDERS_PDF_FONT`` names another file, with
``ORDERS_PDF_FONT_INDEX`` for the subfont of a TrueType collection (.ttc). The project installs
fonts-wqy-microhei (scripts/ensure-test-deps, deploy/Dockerfile).
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shared.domain import Unavailable

FONT_NAME = "DealerCJK"
FONT_VAR, INDEX_VAR = "ORDERS_PDF_FONT", "ORDERS_PDF_FONT_INDEX"
# (path, subfont index): a .ttc holds several faces; index 0 is the proportional one in each of these.
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),  # fonts-wqy-microhei (文泉驿微米黑)
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),  # fonts-wqy-zenhei (文泉驿正黑)
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # fonts-arphic-uming (文鼎明体)
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),  # fonts-arphic-ukai (文鼎楷体)
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),  # fonts-droid-fallback
)


def font_choices() -> list[tuple[str, int]]:
    """Where to look, in order: the setting first, then Debian's CJK TrueType fonts."""
    chosen = os.environ.get(FONT_VAR, "").strip()
    first = [(chosen, int(os.environ.get(INDEX_VAR) or 0))] if chosen else []
    return first + list(CANDIDATES)


@functools.cache
def cjk_font() -> str:
    """Register the first CJK font found (once per process) and return its ReportLab name.

    No font is a fault of the machine, not of the request: 503 naming the fix, never a paper of empty boxes.
    """
    for path, index in font_choices():
        if Path(path).is_file():
            pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
            return FONT_NAME
    raise Unavailable(f"No Chinese font to print with: install fonts-wqy-microhei or set {FONT_VAR} to a "
                      "TrueType CJK font file.")
