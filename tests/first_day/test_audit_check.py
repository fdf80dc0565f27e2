"""`make test`'s audit: a known vulnerability fails the build; an unreachable service is
reported as skipped, never taken for a clean bill."""

from tests.check_audit import SKIPPED, verdict

DJANGO = {"name": "django", "version": "5.2.19", "vulns": []}


def test_a_known_vulnerability_fails_and_names_the_fix():
    vulnerable = {**DJANGO, "vulns": [{"id": "PYSEC-1", "fix_versions": ["5.2.20"]}]}
    status, lines = verdict({"dependencies": [vulnerable]})
    assert status == 1
    assert "django 5.2.19: PYSEC-1 (fixed in 5.2.20)" in lines


def test_no_package_answered_is_reported_as_skipped():
    unanswered = {
        "name": "django",
        "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)",
    }
    status, lines = verdict({"dependencies": [unanswered, {**unanswered, "name": "redis"}]})
    assert status == 0
    assert lines == [f"{SKIPPED} (2 packages unanswered)."]


def test_one_unknown_package_among_answered_ones_fails():
    unknown = {
        "name": "private-lib",
        "skip_reason": "Dependency not found on PyPI and could not be audited: private-lib (1.0)",
    }
    status, lines = verdict({"dependencies": [DJANGO, unknown]})
    assert status == 1
    assert "private-lib (1.0)" in lines[0]


def test_a_clean_audit_says_how_many_packages_it_checked():
    editable = {"name": "helpdesk", "skip_reason": "distribution marked as editable"}
    assert verdict({"dependencies": [DJANGO, editable]}) == (
        0,
        ["pip-audit: no known vulnerabilities in 1 packages."],
    )
