# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

import pytest

from ansible.module_utils.common import warnings as module_warnings

try:
    from ansible.utils.display import Display
except ImportError:
    # ansible-test runs the tests of modules and module_utils without the controller's part of ansible-core.
    Display = None


@pytest.fixture(autouse=True)
def no_deprecation_warning(monkeypatch):
    """Fail every test whose code makes ansible-core deprecate something, on whichever release the units run.

    A deprecation is an API of ansible-core that goes away (2.22 deprecates ``remove_values()``, for one); users
    would see each as a ``[DEPRECATION WARNING]``. In the controller's process ansible-core reports them through
    Display.deprecated(); in a module's, it collects them for the module's result.
    """
    reported = []
    if Display is not None:
        monkeypatch.setattr(Display, "deprecated", lambda self, msg, *args, **kwargs: reported.append(msg))
    collected = len(module_warnings.get_deprecation_messages())
    yield
    reported += [entry["msg"] for entry in module_warnings.get_deprecation_messages()[collected:]]
    assert not reported, f"ansible-core deprecated what the test ran: {reported}"
