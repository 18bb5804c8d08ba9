"""Make this checkout importable as ``ansible_collections.wsgistack.deploy``.

Ansible imports collection plugins by their FQCN; unit tests do the same, so the
repository is exposed through a symlink under ``.cache/collections`` (the same
path ``make`` puts on ``ANSIBLE_COLLECTIONS_PATH``).
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COLLECTIONS = REPO / ".cache" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "wsgistack" / "deploy"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(REPO, target_is_directory=True)
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))
