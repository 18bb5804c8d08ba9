"""Run a module's main() in-process with given arguments; its exit_json/fail_json as results."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ansible.module_utils.testing import patch_module_args


class ModuleExit(Exception):
    """exit_json or fail_json was called: the module's result."""

    def __init__(self, result: dict[str, Any]) -> None:
        super().__init__(result)
        self.result = result


@pytest.fixture
def run_module(monkeypatch, capsys):
    """run_module(main, args, check_mode=False) -> the module's result dict."""

    def run(main, args: dict[str, Any], check_mode: bool = False) -> dict[str, Any]:
        arguments = dict(args, _ansible_check_mode=check_mode)
        with patch_module_args(arguments), pytest.raises(SystemExit):
            main()
        return json.loads(capsys.readouterr().out)

    return run
