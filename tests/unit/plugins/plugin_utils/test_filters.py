from __future__ import annotations

import inspect

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.filters import as_filter
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import Invalid


def derive(apps, *, prefix="", strict=False):
    if strict and not prefix:
        raise Invalid("prefix: give a prefix, such as web-")
    return [prefix + app for app in apps]


def test_the_filter_returns_what_the_function_returns():
    assert as_filter("x_set", derive)(["a"], prefix="p-") == ["p-a"]


def test_a_refused_argument_names_the_filter():
    with pytest.raises(AnsibleFilterError) as raised:
        as_filter("x_set", derive)(["a"], strict=True)
    assert raised.value.message == "x_set: prefix: give a prefix, such as web-"


def test_other_errors_are_not_dressed_up():
    with pytest.raises(TypeError):
        as_filter("x_set", derive)(["a"], unknown=1)


def test_the_filter_has_the_functions_name_and_signature():
    wrapped = as_filter("x_set", derive)
    assert wrapped.__name__ == "x_set"
    assert inspect.signature(wrapped) == inspect.signature(derive)
