"""Print the CA certificates this machine trusts beyond its distribution's set.

Used by tools/images.sh to carry the machine's extra CA certificates (a local CA
in front of PyPI, a corporate proxy) into the test images, so pip inside a
container trusts what pip on the machine trusts.

    python3 tools/extra-ca-certs.py HOST_BUNDLE DISTRO_CERT_DIR [EXTRA_PEM ...]

Prints every certificate of HOST_BUNDLE that no file under DISTRO_CERT_DIR (the
ca-certificates package's /usr/share/ca-certificates) holds, then those of the
EXTRA_PEM files; output is deterministic (input order, duplicates removed).
"""

import re
import sys
from pathlib import Path

PEM = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.S)


def certificates(path: str) -> list[str]:
    text = Path(path).read_text(encoding="ascii", errors="replace")
    return [m.group(0).strip() for m in PEM.finditer(text)]


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    known = {
        cert for path in sorted(Path(argv[2]).rglob("*.crt")) for cert in certificates(str(path))
    }
    printed = []
    for source in [argv[1], *argv[3:]]:
        for cert in certificates(source):
            if cert not in known and cert not in printed:
                printed.append(cert)
    for cert in printed:
        print(cert)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
