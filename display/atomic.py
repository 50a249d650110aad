"""Writing a file whole: what a board reads is never half written, whoever writes at once."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_temporary(path: Path) -> Path:
    """A new, empty file beside ``path`` for writing it whole and renaming it into place
    (``os.replace``): its name is unique, so writers of the same file at once (threads or
    processes) never share a temporary file. Ends in ``.wav`` (sox reads the format from the
    name)."""
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp.wav")
    os.close(handle)
    # mkstemp makes it private (0600); a pack or chime is read by every service of the
    # appliance, whichever user wrote it (rw-r--r--, as the usual umask 022 gives; asking
    # the process's umask means setting it, which races with other threads).
    os.chmod(name, 0o644)
    return Path(name)
