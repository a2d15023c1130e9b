# Copyright: Contributors to the incident_io.status_page collection
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip.py bootstrap script that ansible-test downloads.

ansible-test creates each virtual environment without pip and then runs
``~/.ansible/test/cache/get_pip_<version>.py`` to install its pinned pip. The
host that serves that script is not reachable from every machine, so the
test runner (tests/utils/nox_glue.py) writes this file there instead. Like the real script it runs pip from a
wheel on ``sys.path``; the wheel is the one bundled with the interpreter's
``ensurepip``, and it installs the requested pip release from the package index.
"""

from __future__ import annotations

import glob
import os
import sys

# Options that only the real get-pip.py understands; pip itself rejects them.
GET_PIP_ONLY_OPTIONS = frozenset(("--no-setuptools", "--no-wheel", "--no-pip"))


def find_bundled_pip_wheel() -> str:
    """Return the path of a pip wheel shipped with this interpreter."""
    import ensurepip  # pylint: disable=import-outside-toplevel

    candidates = glob.glob(os.path.join(os.path.dirname(ensurepip.__file__), "_bundled", "pip-*.whl"))

    if not candidates:
        # Debian and Ubuntu move the bundled wheels out of the standard library.
        candidates = glob.glob("/usr/share/python-wheels/pip-*.whl")

    if not candidates:
        raise SystemExit("get_pip stand-in: this Python has no bundled pip wheel (install python3-venv or python3-pip-whl)")

    return max(candidates, key=wheel_version)


def wheel_version(path: str) -> tuple[int, ...]:
    """Return the numeric release of a ``pip-X.Y.Z-...whl`` file name."""
    release = os.path.basename(path).split("-")[1]
    return tuple(int(part) if part.isdigit() else 0 for part in release.split("."))


def main() -> int:
    """Install the pip release named on the command line into the running interpreter."""
    arguments = [argument for argument in sys.argv[1:] if argument not in GET_PIP_ONLY_OPTIONS]

    if not any(not argument.startswith("-") for argument in arguments):
        arguments.append("pip")

    sys.path.insert(0, find_bundled_pip_wheel())

    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel,import-error

    return pip_main(["install", "--upgrade", "--force-reinstall", *arguments])


if __name__ == "__main__":
    sys.exit(main())
