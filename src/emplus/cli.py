"""The `emplus` command: Django's management commands, with hyphenated names
(`emplus load-reference-data` runs the `load_reference_data` command).

`emplus esf-indicators` and `emplus effect` on a file run without setting up Django (see
`emplus.evidence.commandline`); every other command goes through Django.
"""

from __future__ import annotations

import gc
import os
import sys

from emplus.evidence import commandline


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)

    if commandline.handles(argv):
        status = commandline.main(argv)
        # The process ends here: the objects left are moved out of the cycle collector's
        # reach, so the interpreter's collections at exit do not walk the tens of thousands of
        # warnings and result rows of a large file (0.02-0.05 CPU seconds on a million rows).
        gc.freeze()
        raise SystemExit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emplus.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    argv[0] = "emplus"
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
