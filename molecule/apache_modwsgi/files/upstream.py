"""Upstream of the proxy-mode test: answers every request with what Apache forwarded."""

import json
from wsgiref.simple_server import make_server


def application(environ, start_response):
    body = json.dumps(
        {
            "upstream": True,
            "host": environ.get("HTTP_HOST"),
            "path": environ.get("PATH_INFO"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
        }
    ).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


if __name__ == "__main__":
    make_server("127.0.0.1", 8001, application).serve_forever()
