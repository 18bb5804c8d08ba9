"""The nginx_gunicorn role's argument specs, defaults and check agree on every field.

Each app key is defined once, as a Field of plugins/plugin_utils/nginx_gunicorn_schema.py;
``roles/nginx_gunicorn/meta/argument_specs.yml`` documents it (the role's docs are generated
from it), ``defaults/main.yml`` holds the role-wide defaults and ``vars/main.yml`` hands the
role-wide variables to the check. This test fails when one of them gains, loses or retypes a
field, or changes a default, without the others.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.nginx_gunicorn_schema import (
    APP_FIELDS,
    APP_ONLY,
    LOGLEVELS,
    PATH_FIELDS,
    PREFIX,
    ROLE_FIELDS,
    ROLE_WIDE,
    STATIC_FIELDS,
    WORKER_CLASSES,
    check,
)
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import REQUIRED

ROLE = Path(__file__).resolve().parents[4] / "roles" / "nginx_gunicorn"
SPECS = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]
OPTIONS = SPECS["main"]["options"]
APP_OPTIONS = OPTIONS["nginx_gunicorn_apps"]["options"]
DEFAULTS = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
ROLE_VARS = yaml.safe_load((ROLE / "vars" / "main.yml").read_text())
FIELDS = {field.name: field for field in APP_FIELDS}
ROLE_ONLY = {field.name: field for field in ROLE_FIELDS}
CHOICES = {"worker_class": list(WORKER_CLASSES), "loglevel": list(LOGLEVELS)}


def spec_type(spec: dict, name: str) -> tuple[str, str | None]:
    """argument_specs' type and elements as the schema spells them (path: str, a path rule)."""
    kind, elements = spec.get("type", "str"), spec.get("elements")
    if kind == "path" or elements == "path":
        assert name in PATH_FIELDS, f"{name}: type path, but the schema does not check a path"
        return ("str", None) if kind == "path" else (kind, "str")
    return kind, elements


def test_every_app_key_is_a_field_and_every_field_an_app_key():
    assert sorted(APP_OPTIONS) == sorted(FIELDS)


def test_every_role_variable_is_an_app_default_or_a_role_field():
    expected = {PREFIX + name for name in ROLE_WIDE} | {PREFIX + name for name in ROLE_ONLY}
    assert sorted(OPTIONS) == sorted(expected | {"nginx_gunicorn_apps"})


def descriptions(options: dict, where: str = ""):
    for name, spec in options.items():
        text = spec.get("description")
        for line in text if isinstance(text, list) else [text]:
            yield where + name, line
        yield from descriptions(spec.get("options") or {}, f"{where}{name}.")


def test_every_description_is_text():
    """A ': ' in an unquoted description makes YAML read a mapping (ansible-lint refuses it)."""
    for name, line in descriptions(OPTIONS):
        assert isinstance(line, str), (name, line)


def test_the_validate_entry_point_takes_the_same_options():
    assert SPECS["validate"]["options"] == OPTIONS


@pytest.mark.parametrize("name", sorted(FIELDS))
def test_app_key_type_and_default(name):
    field, spec = FIELDS[name], APP_OPTIONS[name]
    assert spec_type(spec, name) == (field.type, field.elements), name
    assert bool(spec.get("required", False)) == (field.default is REQUIRED), name
    if name in ROLE_WIDE:
        # Left out (or null), the key takes the role-wide variable: no default of its own.
        assert "default" not in spec, name
    elif field.default not in (None, REQUIRED):
        assert spec.get("default") == field.default, name
    else:
        assert spec.get("default") is None, name
    if name in CHOICES:
        assert spec.get("choices") == CHOICES[name], name


@pytest.mark.parametrize("name", sorted(ROLE_WIDE | set(ROLE_ONLY)))
def test_role_variable_type_and_default(name):
    field = FIELDS.get(name) or ROLE_ONLY[name]
    spec = OPTIONS[PREFIX + name]
    assert spec_type(spec, name) == (field.type, field.elements), name
    assert spec.get("default") == field.default, name
    assert DEFAULTS[PREFIX + name] == field.default, name
    if name in CHOICES:
        assert spec.get("choices") == CHOICES[name], name


def test_the_apps_own_keys_have_no_role_variable():
    assert not {PREFIX + name for name in APP_ONLY} & set(OPTIONS)
    assert APP_ONLY.isdisjoint(ROLE_WIDE)
    assert set(FIELDS) == APP_ONLY | ROLE_WIDE


def test_defaults_hold_every_role_variable_with_the_specs_default():
    assert sorted(DEFAULTS) == sorted(OPTIONS)
    for name, spec in OPTIONS.items():
        assert DEFAULTS[name] == spec.get("default"), name


def test_static_entries():
    """A static entry's url is a URL path (str), its path an absolute path (path)."""
    static = APP_OPTIONS["static"]["options"]
    assert sorted(static) == sorted(field.name for field in STATIC_FIELDS)
    kinds = {"url": "str", "path": "path"}
    for field in STATIC_FIELDS:
        spec = static[field.name]
        assert field.type == "str"
        assert spec["type"] == kinds[field.name], field.name
        assert bool(spec.get("required", False)) == (field.default is REQUIRED), field.name


def test_vars_hand_every_role_variable_to_the_check():
    role_wide = ROLE_VARS["__nginx_gunicorn_role_wide"]
    assert sorted(role_wide) == sorted(ROLE_WIDE | set(ROLE_ONLY))
    for name, value in role_wide.items():
        assert value == "{{ " + PREFIX + name + " }}", name


def test_the_defaults_file_resolves_as_the_fields_defaults():
    apps = [{"name": "guestbook", "venv": "/srv/guestbook/venv", "module": "guestbook:app"}]
    from_file = {name[len(PREFIX) :]: value for name, value in DEFAULTS.items() if name in OPTIONS}
    del from_file["apps"]
    assert check(apps, from_file, 2) == check(apps, {}, 2)
    assert check(apps, from_file, 2)["errors"] == []
