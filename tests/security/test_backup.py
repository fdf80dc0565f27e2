"""A backup is only a backup once it has been restored: dump the database with pg_dump
(custom format), restore it into a fresh database with pg_restore, copy the private
attachment folder, then start the application on the restored database and read a case,
its timeline and its file back; the database's own rules (the append-only timeline) come
back too. docs/operations.md describes the same steps for production."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connection

from cases import services
from cases.models import Attachment, TimelineEntry
from tests.helpers import fresh, upload

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (shutil.which("pg_dump") and shutil.which("pg_restore")),
        reason="pg_dump and pg_restore (PostgreSQL client tools) are not on PATH",
    ),
]


def libpq_env(db: dict) -> dict:
    env = dict(os.environ)
    env.update(PGHOST=db["HOST"] or "127.0.0.1", PGPORT=str(db["PORT"] or 5432), PGUSER=db["USER"])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def admin_connection(db: dict):
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def fresh_database():
    """A fresh, empty database to restore into; dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the backup procedure is PostgreSQL's (pg_dump / pg_restore)")
    db = connection.settings_dict
    name = f"restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin_connection(db) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with admin_connection(db) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


READ_BACK = """
import json
from cases.models import Attachment, Case, TimelineEntry
case = Case.objects.select_related("owner", "customer").get(pk={pk})
print(json.dumps({{
    "reference": case.reference,
    "title": case.title,
    "version": case.version,
    "owner": case.owner.email,
    "customer": case.customer.email,
    "identifiers": [i.value for i in case.identifiers.all()],
    "timeline": list(TimelineEntry.objects.filter(case=case).order_by("pk")
                     .values_list("kind", "body")),
    "file": Attachment.objects.get(case=case).file.name,
}}))
"""


def test_a_dump_restores_into_a_fresh_database_with_cases_timelines_and_files(
    agent, customer, media_root, tmp_path, fresh_database
):
    case = services.open_case(
        acting_user=agent,
        customer=customer,
        title="Laptop will not power on",
        description="Power supply and battery both fail.",
        identifiers=[services.IdentifierInput("Serial number", "5CD1234XYZ")],
    )
    case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.reply_to_customer(
        case=case,
        acting_user=agent,
        body="A new adapter ships today.",
        files=[upload("invoice.pdf", b"%PDF-1.4 invoice", "application/pdf")],
    )
    services.add_internal_note(case=case, acting_user=agent, body="Warranty ends next week.")
    timeline = list(
        TimelineEntry.objects.filter(case=case).order_by("pk").values_list("kind", "body")
    )

    db = connection.settings_dict
    env = libpq_env(db)
    dump = tmp_path / "helpdesk.dump"
    # 1. The database, in pg_dump's custom format (compressed, restorable table by table).
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # 2. The private attachment folder, after the dump (a file newer than the dump is
    #    harmless; a row without its file is not).
    files_copy = tmp_path / "private-copy"
    shutil.copytree(media_root, files_copy)
    # 3. Restore into a fresh database.
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", fresh_database, str(dump)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restore.returncode == 0, restore.stderr

    # 4. The application, started on the restored database, reads the case back.
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{fresh_database}"
    read = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", READ_BACK.format(pk=case.pk)],
        cwd=REPO,
        env={**env, "DATABASE_URL": url, "HELPDESK_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert read.returncode == 0, read.stderr
    restored = json.loads(read.stdout.strip().splitlines()[-1])
    assert restored == {
        "reference": case.reference,
        "title": "Laptop will not power on",
        "version": fresh(case).version,
        "owner": agent.email,
        "customer": customer.email,
        "identifiers": ["5CD1234XYZ"],
        "timeline": [list(row) for row in timeline],
        "file": Attachment.objects.get(case=case).file.name,
    }
    assert ["agent_reply", "A new adapter ships today."] in restored["timeline"]
    assert (files_copy / restored["file"]).read_bytes() == b"%PDF-1.4 invoice"

    # The database's own rules came back with the data: the timeline is still append-only.
    with psycopg.connect(url) as restored_db, pytest.raises(psycopg.errors.CheckViolation):
        restored_db.execute("UPDATE cases_timelineentry SET body = 'rewritten'")
