"""Container healthcheck: ``python -m project.healthcheck`` exits 0 when the console answers.

It speaks to gunicorn on loopback with a Host header the site accepts (the first concrete
entry of ALLOWED_HOSTS), so the check works without loosening host validation.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def host_header() -> str:
    for host in os.environ.get("ALLOWED_HOSTS", "").split(","):
        host = host.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": host_header()}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - fixed loopback URL
            return 0 if response.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"healthcheck failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
