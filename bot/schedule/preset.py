"""Where the bundled årsschema preset lives; no imports beyond the standard library, so
that the command line can name it in its help without loading the schedule parser."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PRESET_FILENAME = "preset_arsschema.yaml"
"""File name of the bundled årsschema preset inside this package."""


def preset_path() -> Path:
    """Return the path of the bundled årsschema preset.

    Returns:
        Path to ``preset_arsschema.yaml`` inside this package.
    """
    return Path(str(resources.files("bot.schedule").joinpath(PRESET_FILENAME)))
