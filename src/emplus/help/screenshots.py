"""Where the browser tests write a section's screenshot, and whether it is there."""

from __future__ import annotations

from pathlib import Path

from emplus.help.sections import Section

DIRECTORY = Path(__file__).parent / "static" / "help" / "screenshots"


def screenshot_file(section: Section) -> Path:
    return DIRECTORY / f"{section.slug}.png"


def screenshot_of(section: Section) -> str | None:
    """The static path of a section's screenshot, if the browser tests have taken one."""
    if section.shot is None or not screenshot_file(section).exists():
        return None
    return f"help/screenshots/{section.slug}.png"
