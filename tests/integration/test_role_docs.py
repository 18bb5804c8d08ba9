"""Role docs are generated from argument_specs; the committed pages must match."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_role_has_argument_specs_and_current_docs():
    roles = sorted(p.name for p in (REPO / "roles").iterdir() if p.is_dir())
    missing = [r for r in roles if not (REPO / "roles" / r / "meta/argument_specs.yml").is_file()]
    assert not missing, f"roles without meta/argument_specs.yml: {missing}"
    result = subprocess.run(
        [sys.executable, str(REPO / "tools/role_docs.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pages = sorted(p.stem for p in (REPO / "docs/roles").glob("*.md"))
    assert pages == roles
