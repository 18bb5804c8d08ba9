#!/usr/bin/python
# Copyright (c) wsgistack.deploy developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The wsgistack.deploy.health_check module."""

DOCUMENTATION = r"""
module: health_check
short_description: Ask each app for its health check through the front server, side by side
version_added: 0.1.0
author: wsgistack.deploy developers (@wsgistack)
description:
  - Requests each app's health check URL on the host, as a client of the front server sees it
    (the app's host name in C(Host), redirects not followed, any certificate accepted, for
    this checks the app, not the chain), all apps at once, until each answers 2xx or 3xx or
    O(timeout) seconds have passed for all of them.
  - An app that does not answer in time fails the task. The message names each such app, the
    request and what came back (the status and the start of the body, or why nothing came),
    and RV(logs) holds the end of each failed app's log, read with its O(checks[].log_command)
    (the journal of its app server unit, or its error log), so the run shows why. It holds
    the last O(log_lines) lines, after the error lines that came before them. A server that
    keeps failing to start repeats the same long traceback, so the line that says why (for
    gunicorn, the one naming the attribute it did not find) is often above the last lines.
  - One module call for every app and every retry, instead of a task per app that retries one
    module call a second; both app server roles use it.
attributes:
  check_mode:
    support: full
    description: Requests nothing (check mode started or reloaded nothing to ask) and reports
      unchanged.
  diff_mode:
    support: none
    description: Only reads.
options:
  checks:
    description: The apps to ask.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The app's name, for the messages.
        type: str
        required: true
      url:
        description: The URL to request on this host, such as C(http://127.0.0.1:80/health).
        type: str
        required: true
      host:
        description: The C(Host) header (the app's server name).
        type: str
      log_command:
        description: The command (an argument list) whose output is the end of the app's log,
          run only when the app fails. Give it more lines than O(log_lines), a few hundred,
          for the error lines are looked for in the lines before the last O(log_lines).
        type: list
        elements: str
        default: []
      log_title:
        description: How RV(logs) names that log (C(journalctl --unit gunicorn-<name>)).
        type: str
  log_lines:
    description: How many of the last lines of a failed app's log RV(logs) shows, after at most
      O(log_lines) earlier lines that look like errors (with C(error), C(exception), C(fatal),
      C(failed) or C(traceback) in them, or an Apache message code such as C(AH00526)).
    type: int
    default: 25
  via:
    description: The front server, for the messages (C(through nginx)).
    type: str
    default: the front server
  timeout:
    description: Seconds, counted from the start, after which an app that has not answered
      2xx or 3xx has failed.
    type: int
    default: 30
  request_timeout:
    description: Seconds one request may take.
    type: int
    default: 10
notes:
  - An answer of 4xx or 5xx is retried until O(timeout) too (an app server that is starting,
    a reload in progress).
"""

EXAMPLES = r"""
- name: Ask each app for its health check through nginx
  wsgistack.deploy.health_check:
    via: nginx
    timeout: 30
    checks:
      - name: guestbook
        url: http://127.0.0.1:80/health
        host: guestbook.example.com
        log_command: [journalctl, --unit, gunicorn-guestbook.service, --lines, "300", --no-pager]
        log_title: journalctl --unit gunicorn-guestbook
"""

RETURN = r"""
apps:
  description: What each app answered, by name.
  returned: always
  type: dict
  sample: {guestbook: {status: 200, seconds: 0.4, ok: true}}
logs:
  description: For each app that failed, by name, its log title, the earlier error lines and the
    last lines of its log.
  returned: when an app failed
  type: dict
  sample:
    guestbook:
      - "journalctl --unit gunicorn-guestbook, earlier error lines:"
      - "... [ERROR] Failed to find attribute 'no_such_app' in 'guestbook.wsgi'."
      - "journalctl --unit gunicorn-guestbook, last lines:"
      - "... Reason: App failed to load."
"""

import re
import ssl
import threading
import time
import urllib.error
import urllib.request

from ansible.module_utils.basic import AnsibleModule

BODY_SHOWN = 600


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _ask(check, request_timeout):
    """One request: (status or None, the answer or why there was none)."""
    if not check["url"].startswith(("http://", "https://")):
        return None, f"not an http(s) URL: {check['url']}"
    request = urllib.request.Request(check["url"], method="GET")  # noqa: S310 (http(s) only)
    if check.get("host"):
        request.add_header("Host", check["host"])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=context))
    try:
        response = opener.open(request, timeout=request_timeout)
    except urllib.error.HTTPError as error:
        response = error
    except (OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))
    with response:
        body = response.read(BODY_SHOWN * 2).decode("utf-8", "replace")
    return response.status, body


def poll(check, deadline, request_timeout, clock=time.monotonic, pause=time.sleep):
    """Ask until a 2xx or 3xx answer or the deadline; the last answer, and whether it is good."""
    started = clock()
    while True:
        status, answer = _ask(check, request_timeout)
        ok = status is not None and 200 <= status < 400
        if ok or clock() >= deadline:
            return {"status": status, "answer": answer, "ok": ok,
                    "seconds": round(clock() - started, 2)}  # fmt: skip
        pause(min(1.0, max(0.0, deadline - clock())))


def problem(check, result, via):
    """The line that names a failed app, the request, and what came back."""
    path = "/" + check["url"].split("://", 1)[-1].split("/", 1)[-1]
    host = f" (Host: {check['host']})" if check.get("host") else ""
    if result["status"] is None:
        came = f"nothing ({result['answer'].strip()})"
    else:
        body = " ".join(result["answer"].split())
        body = body if len(body) <= BODY_SHOWN else body[: BODY_SHOWN - 3] + "..."
        came = f"{result['status']}: {body}"
    return f"{check['name']}: GET {path} through {via}{host} answered {came}"


ERROR_LINE = re.compile(r"error|exception|fatal|failed|traceback|\bAH\d{5}:", re.IGNORECASE)


def excerpt(title, lines, last):
    """A log's last ``last`` lines, after at most ``last`` earlier lines that look like errors."""
    head, tail = lines[:-last], lines[-last:]
    earlier = [line for line in head if ERROR_LINE.search(line)][-last:]
    shown = [f"{title}, earlier error lines:", *earlier] if earlier else []
    return [*shown, f"{title}, last lines:" if earlier else f"{title}:", *tail]


def main():
    module = AnsibleModule(
        argument_spec={
            "checks": {
                "type": "list",
                "elements": "dict",
                "required": True,
                "options": {
                    "name": {"type": "str", "required": True},
                    "url": {"type": "str", "required": True},
                    "host": {"type": "str"},
                    "log_command": {"type": "list", "elements": "str", "default": []},
                    "log_title": {"type": "str"},
                },
            },
            "via": {"type": "str", "default": "the front server"},
            "log_lines": {"type": "int", "default": 25},
            "timeout": {"type": "int", "default": 30},
            "request_timeout": {"type": "int", "default": 10},
        },
        supports_check_mode=True,
    )
    checks = module.params["checks"]
    if module.params["log_lines"] < 1:
        module.fail_json(msg="health_check: log_lines must be 1 or more")
    if module.check_mode or not checks:
        module.exit_json(changed=False, apps={})
    deadline = time.monotonic() + module.params["timeout"]
    results = {}

    def run(check):
        results[check["name"]] = poll(check, deadline, module.params["request_timeout"])

    threads = [threading.Thread(target=run, args=(check,)) for check in checks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    apps = {
        name: {"status": r["status"], "seconds": r["seconds"], "ok": r["ok"]}
        for name, r in results.items()
    }
    failed = [check for check in checks if not results[check["name"]]["ok"]]
    if not failed:
        module.exit_json(changed=False, apps=apps)
    logs = {}
    for check in failed:
        title = check.get("log_title") or " ".join(check["log_command"])
        if check["log_command"]:
            rc, out, err = module.run_command(check["log_command"])
            if rc == 0:
                logs[check["name"]] = excerpt(
                    title, (out or err).splitlines(), module.params["log_lines"]
                )
            else:
                logs[check["name"]] = [f"{title}:", f"(could not read it: {err.strip()})"]
    via = module.params["via"]
    module.fail_json(
        msg=" ".join(problem(check, results[check["name"]], via) + "." for check in failed)
        + (" The end of each app's log is in 'logs'." if logs else ""),
        apps=apps,
        logs=logs,
    )


if __name__ == "__main__":
    main()
