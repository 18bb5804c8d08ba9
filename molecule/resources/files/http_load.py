"""Bounded HTTP load through a front server, with every failure counted.

Run on the host under test, in the background (the stack side effect copies it there):

    python3 http_load.py URL HOST CONNECTIONS PAUSE STOP_FILE MAX_SECONDS

CONNECTIONS threads each keep one HTTP/1.1 connection (reopened after an error) and request
URL with ``Host: HOST``, PAUSE seconds apart (a bounded load that leaves the deploy it
watches the CPU to run), until STOP_FILE exists or MAX_SECONDS have passed. A
request fails when it raises (connection refused or reset, timeout) or answers other than
200. The answers are JSON pages of the app (the guestbook's /info); their ``release`` tells
which code served them. Prints one JSON summary: the number of requests, the failures (the
first 20 with their time and cause), and per release the count and the first and last time
it was seen (seconds since the epoch).
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from urllib.parse import urlsplit


def summarize(results: list[tuple[float, object, object]]) -> dict:
    """results: (time, status or error text, release or None) per request."""
    failures = [(when, status) for when, status, _release in results if status != 200]
    releases: dict[str, dict] = {}
    for when, status, release in results:
        if status != 200:
            continue
        seen = releases.setdefault(str(release), {"count": 0, "first": when, "last": when})
        seen["count"] += 1
        seen["first"] = min(seen["first"], when)
        seen["last"] = max(seen["last"], when)
    return {
        "requests": len(results),
        "failed": len(failures),
        "failures": [{"time": when, "cause": str(cause)} for when, cause in sorted(failures)[:20]],
        "releases": releases,
    }


def worker(job: dict, results: list, lock: threading.Lock) -> None:
    """Requests over one connection until the job's stop file or deadline."""
    url, host, stop_file, deadline = job["url"], job["host"], job["stop_file"], job["deadline"]
    pause = job["pause"]
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    connection = None
    while time.time() < deadline and not os.path.exists(stop_file):
        if connection is None:
            connection = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=10)
        try:
            connection.request("GET", path, headers={"Host": host})
            response = connection.getresponse()
            body = response.read()
            status, release = response.status, None
            if status == 200:
                release = json.loads(body).get("release")
        except (OSError, http.client.HTTPException, ValueError) as error:
            status, release = f"{type(error).__name__}: {error}", None
            connection.close()
            connection = None
        with lock:
            results.append((time.time(), status, release))
        time.sleep(pause)


def main() -> None:
    url, host, connections, pause, stop_file, seconds = sys.argv[1:7]
    deadline = time.time() + float(seconds)
    job = {"url": url, "host": host, "pause": float(pause), "stop_file": stop_file}
    job["deadline"] = deadline
    results: list = []
    lock = threading.Lock()
    threads = [
        threading.Thread(target=worker, args=(job, results, lock))
        for _connection in range(int(connections))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(summarize(results)))


if __name__ == "__main__":
    main()
