"""Import modules; print JSON naming those that fail to import.

Usage: python check_modules.py MODULES_JSON C_PARTS_JSON
MODULES_JSON is a list of module names; C_PARTS_JSON maps a module to the C
extensions it needs, which are imported too (``uuid`` imports without
``_uuid``, falling back to slower code).
"""

import importlib
import json
import sys

modules = json.loads(sys.argv[1])
c_parts = json.loads(sys.argv[2])
missing = {}
for name in modules:
    for module in [name, *c_parts.get(name, [])]:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            missing[name] = f"{module}: {exc}"
            break
print(json.dumps({"missing": missing, "version": sys.version.split()[0], "prefix": sys.prefix}))
