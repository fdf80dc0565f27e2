"""Audit the installed packages for known vulnerabilities, as `make test` does.

pip-audit asks its vulnerability service about each package. A known vulnerability, or a
package the service does not know while it answers for others, fails the build. When the
service cannot be reached (a connection error, or no package audited at all), the audit
says it was skipped and why, and the build goes on.
"""

import json
import subprocess
import sys
from pathlib import Path

SKIPPED = "pip-audit skipped: the vulnerability service could not be reached"


def fixed_in(vulnerability: dict) -> str:
    return ", ".join(vulnerability.get("fix_versions", [])) or "no release yet"


def verdict(report: dict) -> tuple[int, list[str]]:
    """(exit status, lines to print) for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    unknown = [d for d in dependencies if "not be audited" in d.get("skip_reason", "").lower()]
    if not audited:
        return 0, [f"{SKIPPED} ({len(unknown)} packages unanswered)."]
    found = [
        f"{d['name']} {d['version']}: {v['id']} (fixed in {fixed_in(v)})"
        for d in audited
        for v in d.get("vulns", [])
    ]
    if found:
        return 1, ["pip-audit found known vulnerabilities:", *found]
    if unknown:
        return 1, [f"pip-audit could not audit: {d['skip_reason']}" for d in unknown]
    return 0, [f"pip-audit: no known vulnerabilities in {len(audited)} packages."]


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    run = subprocess.run(
        [str(pip_audit), "--format", "json", "--skip-editable", "--timeout", "20"],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        errors = run.stderr.strip().splitlines()
        print(f"{SKIPPED}: {errors[-1] if errors else 'no answer'}")
        return 0
    status, lines = verdict(report)
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
