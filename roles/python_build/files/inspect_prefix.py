"""What the python_build role must know about the prefix before it changes anything.

Usage: python inspect_prefix.py PREFIX MANIFEST_NAME INTERPRETER   (only reads)
Prints JSON: whether the prefix exists, is a directory, its entries, the manifest's
text, whether the interpreter is executable, and the nearest existing directory on the
way to the prefix with whether this user may write there.
"""

import json
import os
import sys

prefix, manifest_name, interpreter = sys.argv[1:4]
nearest = prefix
while not os.path.exists(nearest):
    nearest = os.path.dirname(nearest)
manifest = os.path.join(prefix, manifest_name)
manifest_text = None
if os.path.isfile(manifest):
    with open(manifest, encoding="utf-8") as handle:
        manifest_text = handle.read()
print(
    json.dumps(
        {
            "exists": os.path.lexists(prefix),
            "isdir": os.path.isdir(prefix),
            "entries": sorted(os.listdir(prefix)) if os.path.isdir(prefix) else [],
            "manifest": manifest_text,
            "python_executable": os.path.isfile(interpreter) and os.access(interpreter, os.X_OK),
            "nearest": nearest,
            "writable": os.path.isdir(nearest) and os.access(nearest, os.W_OK | os.X_OK),
        }
    )
)
