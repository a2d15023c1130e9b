#!/usr/bin/env python
# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Send one request with a JSON body to the emulator and print the answer.

Used through the pipe lookup, on the controller: cheaper than a uri task for the dozens of faults and objects the
target sets up. With API_KEY, the request is an API call with that key; without, a call to the control API.
Usage: emulator_control.py METHOD URL [JSON [API_KEY]]
"""

import sys
import urllib.request


def main():
    method, url = sys.argv[1], sys.argv[2]
    data = sys.argv[3].encode("utf-8") if len(sys.argv) > 3 else None
    headers = {"Content-Type": "application/json"}
    if len(sys.argv) > 4:
        headers["Authorization"] = f"Bearer {sys.argv[4]}"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        sys.stdout.write(response.read().decode("utf-8") or "{}")


if __name__ == "__main__":
    main()
