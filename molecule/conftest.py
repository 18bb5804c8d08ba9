"""Helpers shared by the molecule scenarios' testinfra tests.

Requests are made from inside the container under test with its own python3, so
they go through the front server exactly as a client on the host would, and no
HTTP client has to be installed on the host for the tests.
"""

import json
import os
import shlex

import pytest
import testinfra

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


@pytest.fixture
def http(host):
    """http(method, url, host_header=None, form=None) -> Response, from inside the host."""

    def request(method, url, host_header="", form=None):
        command = " ".join(
            shlex.quote(part)
            for part in ("python3", "-c", CLIENT, method, url, host_header, json.dumps(form or {}))
        )
        result = host.run(command)
        assert result.rc == 0, f"{method} {url} failed: {result.stderr}"
        return Response(json.loads(result.stdout))

    return request


@pytest.fixture(scope="module")
def platform():
    """platform(suffix) -> the testinfra host of this scenario's platform named
    wsgistack-<scenario>-<distro>-<suffix>, for tests about one host of several."""

    def get(suffix):
        scenario = os.environ["MOLECULE_SCENARIO_NAME"]
        distro = os.environ.get("MOLECULE_DISTRO", "bookworm")
        return testinfra.get_host(f"podman://wsgistack-{scenario}-{distro}-{suffix}")

    return get
