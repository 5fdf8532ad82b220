"""Audit the locked dependencies against the Python advisory database (pip-audit).

Fails when a locked package has a known vulnerability. When the advisory service cannot
be reached (no network, or an index mirror without advisory data) it says so and which
packages went unchecked: that is a skipped audit, never a silent pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def main() -> int:
    command = [
        sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--require-hashes",
        "--disable-pip", "--progress-spinner", "off", "--format", "json",
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print("Dependency audit SKIPPED: pip-audit could not reach the advisory service.")
        print((run.stderr or run.stdout).strip()[-800:])
        return 0
    dependencies = report.get("dependencies", [])
    skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
    audited = [d for d in dependencies if not d.get("skip_reason")]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if not audited:
        print(
            f"Dependency audit SKIPPED: the advisory service answered for none of the "
            f"{len(skipped)} locked packages (offline or a mirror without advisory data)."
        )
        return 0
    if skipped:
        print(
            f"Dependency audit: {len(skipped)} packages could not be checked: {', '.join(skipped)}"
        )
    if vulnerable:
        print(f"Dependency audit FAILED: {len(vulnerable)} locked packages have known advisories.")
        return 1
    print(f"Dependency audit: {len(audited)} locked packages, no known vulnerabilities.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
