"""The app description's fields and the wsgi_app_plan filter's documentation agree.

Each field is defined once in plugins/plugin_utils/app_schema.py; ``ansible-doc`` reads the
filter's DOCUMENTATION, which is written by hand. This test fails when one of them gains,
loses or retypes a field, or changes a default, without the other.
"""

import yaml
from ansible_collections.wsgistack.deploy.plugins.filter import wsgi_app_plan as plan_filter
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.app_schema import FIELDS
from ansible_collections.wsgistack.deploy.plugins.plugin_utils.schema import REQUIRED

DOCUMENTED = yaml.safe_load(plan_filter.DOCUMENTATION)["options"]["_input"]["suboptions"]


def test_every_field_is_documented_and_nothing_else():
    assert sorted(DOCUMENTED) == sorted(field.name for field in FIELDS)


def test_types_required_and_defaults_match():
    for field in FIELDS:
        doc = DOCUMENTED[field.name]
        assert doc.get("type", "str") == field.type, field.name
        assert bool(doc.get("required", False)) == (field.default is REQUIRED), field.name
        if field.default not in (None, REQUIRED):
            # A literal default is the field's; a field without one may describe its
            # derived default in words (user: the app's name).
            assert doc.get("default") == field.default, field.name
        if field.elements:
            assert doc.get("elements") == field.elements, field.name
