"""Where the local store lives: the project's checkout, its Procfile and its ``var`` folder.

``make run`` keeps its SQLite files, its token secret and its own RabbitMQ node under ``<checkout>/var``.
The checkout is found from where the ``shared`` package was installed from (``make install`` installs it
editable, so that is the checkout itself), else from the working folder or one of its parents holding a
``Procfile`` beside ``shared/``. A ``dealer`` run from any other folder so still finds the same ``var``
instead of leaving a stray ``./var`` there. ``DEALER_DATA_DIR`` overrides it (the image sets it); with
neither a checkout nor the variable (a plain ``pip install``), the data goes to ``$XDG_DATA_HOME/dealer``
(``~/.local/share/dealer``).
"""
from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_VAR = "DEALER_DATA_DIR"


def _is_checkout(folder: Path) -> bool:
    return (folder / "Procfile").is_file() and (folder / "shared").is_dir()


def checkout_root() -> Path | None:
    """The project's checkout this ``dealer`` belongs to, or None when installed without one."""
    installed_from = Path(__file__).resolve().parent.parent
    if _is_checkout(installed_from):
        return installed_from
    here = Path.cwd().resolve()
    return next((folder for folder in (here, *here.parents) if _is_checkout(folder)), None)


def default_data_dir() -> Path:
    """``DEALER_DATA_DIR`` unset: the checkout's ``var``, else the user's data folder (never the working folder)."""
    root = checkout_root()
    if root is not None:
        return root / "var"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dealer"


def default_procfile() -> Path | None:
    """The checkout's Procfile, which ``dealer run`` starts; None outside a checkout."""
    root = checkout_root()
    return root / "Procfile" if root is not None else None
