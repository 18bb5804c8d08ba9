"""The configuration-set filters' documentation against their functions.

Each filter is a schema function made a filter (plugin_utils/filters.py's ``as_filter``): its
DOCUMENTATION must name every keyword argument, required exactly when the function has no
default, with the function's default otherwise, and return files, links and absent.
"""

from __future__ import annotations

import importlib
import inspect

import pytest
import yaml

FILTERS = ("nginx_gunicorn_config_set", "apache_modwsgi_config_set")


@pytest.mark.parametrize("name", FILTERS)
def test_documentation_names_every_argument(name):
    plugin = importlib.import_module(f"ansible_collections.wsgistack.deploy.plugins.filter.{name}")
    doc = yaml.safe_load(plugin.DOCUMENTATION)
    assert doc["name"] == name
    parameters = inspect.signature(getattr(plugin, name)).parameters
    assert set(doc["options"]) == {"_input", *list(parameters)[1:]}
    for option_name, option in doc["options"].items():
        if option_name != "_input":
            required = parameters[option_name].default is inspect.Parameter.empty
            assert option.get("required", False) == required, option_name
            assert required or option.get("default") == parameters[option_name].default, option_name
    assert yaml.safe_load(plugin.EXAMPLES)
    returned = yaml.safe_load(plugin.RETURN)["_value"]["contains"]
    assert set(returned) == {"files", "links", "absent"}
