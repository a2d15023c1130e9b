# Copyright (c) incident_io.status_page contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A server on 127.0.0.1 that answers as a proxy or a captive portal would, or with JSON the spec allows but no client
can use.

GET /v2/status_pages answers 200 text/html (a body that is not JSON where JSON is expected). The maintenance list
answers an empty list and a maintenance create answers 201 with the empty object {} (the spec requires nothing of an
answer), as does the show of the incident EMPTY_ANSWER_ID. Every other request answers 502 text/html (an error page
instead of the API's error object). The URL is written to the file given as the only argument once the server
listens. Stops on SIGTERM.
"""

import http.server
import json
import os
import signal
import sys

PORTAL = b"<!DOCTYPE html><html><body><h1>Welcome</h1><p>Please sign in to the network.</p></body></html>\n"
BAD_GATEWAY = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
EMPTY_ANSWER_ID = "01JACMEEMPTYANSWER00000000"
JSON_ANSWERS = {
    ("GET", "/v2/status_page_maintenances"): (200, {"status_page_maintenances": [], "pagination_meta": {"page_size": 250}}),
    ("POST", "/v2/status_page_maintenances"): (201, {}),
    ("GET", f"/v2/status_page_incidents/{EMPTY_ANSWER_ID}"): (200, {}),
}


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        path = self.path.split("?")[0]
        if (self.command, path) in JSON_ANSWERS:
            status, answer = JSON_ANSWERS[(self.command, path)]
            body, content_type = json.dumps(answer).encode(), "application/json"
        elif (self.command, path) == ("GET", "/v2/status_pages"):
            status, body, content_type = 200, PORTAL, "text/html; charset=utf-8"
        else:
            status, body, content_type = 502, BAD_GATEWAY, "text/html; charset=utf-8"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = answer

    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    url_file = sys.argv[1]
    with open(url_file + ".tmp", "w", encoding="utf-8") as handle:
        handle.write(f"http://127.0.0.1:{server.server_address[1]}\n")
    os.replace(url_file + ".tmp", url_file)
    try:
        server.serve_forever()
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
