"""Digest a local project (directory or file) and tell whether this venv has it installed.

Usage: python source_digest.py PATH IGNORE_JSON
Prints JSON: {"digest": sha256 of the relative paths, modes and contents of the files
under PATH, skipping names that match IGNORE_JSON's glob patterns (build output),
"installed": whether a distribution in this interpreter was installed from PATH}.
"""

import fnmatch
import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

source = Path(sys.argv[1]).resolve()
ignore = json.loads(sys.argv[2])


def ignored(name):
    return any(fnmatch.fnmatch(name, pattern) for pattern in ignore)


digest = hashlib.sha256()
if source.is_file():
    files = [source]
else:
    files = []
    for root, dirs, names in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not ignored(d))
        files.extend(Path(root, name) for name in sorted(names) if not ignored(name))
for path in files:
    relative = path.relative_to(source).as_posix() if path != source else path.name
    digest.update(f"{relative}\0{path.stat().st_mode & 0o111:o}\0".encode())
    digest.update(path.read_bytes())
    digest.update(b"\0")

installed = False
for dist in metadata.distributions():
    direct_url = dist.read_text("direct_url.json")
    if direct_url and json.loads(direct_url).get("url") == source.as_uri():
        installed = True
        break
print(json.dumps({"digest": digest.hexdigest(), "installed": installed}))
