"""The process environment, read at the edge: the one place the commands turn os.environ into an ``Environment``.

Below the commands nothing reads an environment variable; the build heeds what the
``Session`` it is handed carries (``brochure.runtime.session.Environment``).
"""
from __future__ import annotations

import os
from pathlib import Path

from brochure.runtime.session import Environment


def process_environment() -> Environment:
    """$XDG_CACHE_HOME (else ~/.cache), $BROCHURE_JOBS and $SOURCE_DATE_EPOCH of this process, checked
    (a SOURCE_DATE_EPOCH that is no date raises BrochureError)."""
    try:
        home = Path.home()
    except (RuntimeError, KeyError):     # no $HOME and no entry in the password database: no cache on disk
        home = None
    return Environment.read(os.environ, home)
