"""Helpers shared by the molecule scenarios' testinfra tests.

Requests are made from inside the container under test with its own python3, so
they go through the front server exactly as a client on the host would, and no
HTTP client has to be installed on the host for the tests.

The checks that must not pass on no evidence (a PID 0, an empty list, a command that cannot
run) are in resources/evidence.py; this file puts that directory on sys.path, so that the
scenarios' tests ``import evidence``.
"""

import json
import os
import shlex
import sys
from pathlib import Path

import pytest
import testinfra

RESOURCES = str(Path(__file__).resolve().parent / "resources")
if RESOURCES not in sys.path:
    sys.path.insert(0, RESOURCES)

CLIENT = r"""
import json, sys, urllib.error, urllib.parse, urllib.request
method, url, host, form = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
data = urllib.parse.urlencode(form).encode() if form else None
request = urllib.request.Request(url, data=data, method=method)
if host:
    request.add_header("Host", host)
opener = urllib.request.build_opener(NoRedirect)
try:
    response = opener.open(request, timeout=20)
except urllib.error.HTTPError as error:
    response = error
body = response.read().decode("utf-8", "replace")
print(json.dumps({"status": response.status, "headers": dict(response.headers), "body": body}))
"""


class Response:
    def __init__(self, raw):
        self.status = raw["status"]
        self.headers = {k.lower(): v for k, v in raw["headers"].items()}
        self.text = raw["body"]

    def json(self):
        return json.loads(self.text)


def http_request(host, method, url, host_header="", form=None):
    """One request from inside ``host`` (a testinfra host) -> Response."""
    command = " ".join(
        shlex.quote(part)
        for part in ("python3", "-c", CLIENT, method, url, host_header, json.dumps(form or {}))
    )
    result = host.run(command)
    assert result.rc == 0, f"{method} {url} failed: {result.stderr}"
    return Response(json.loads(result.stdout))


@pytest.fixture
def http(host):
    """http(method, url, host_header=None, form=None) -> Response, from inside the host."""

    def request(method, url, host_header="", form=None):
        return http_request(host, method, url, host_header, form)

    return request


@pytest.fixture
def http_from():
    """http_from(host)(method, url, host_header=None, form=None): as ``http``, from ``host``."""

    def bind(other):
        def request(method, url, host_header="", form=None):
            return http_request(other, method, url, host_header, form)

        return request

    return bind


@pytest.fixture(scope="module")
def platform():
    """platform(suffix) -> the testinfra host of this scenario's platform named
    wsgistack-<scenario>-<distro>-<suffix>, for tests about one host of several.

    The host must answer a command first: on a container that is not there every command
    fails, and a test that a package, a file or a program is absent would pass on it."""
    hosts = {}

    def get(suffix):
        if suffix not in hosts:
            scenario = os.environ["MOLECULE_SCENARIO_NAME"]
            distro = os.environ.get("MOLECULE_DISTRO", "bookworm")
            name = f"wsgistack-{scenario}-{distro}-{suffix}"
            host = testinfra.get_host(f"podman://{name}")
            answer = host.run("cat /proc/sys/kernel/hostname")
            assert answer.rc == 0 and answer.stdout.strip(), (
                f"{name} does not answer: rc {answer.rc} {answer.stderr}"
            )
            hosts[suffix] = host
        return hosts[suffix]

    return get
