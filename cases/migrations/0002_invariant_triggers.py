"""Invariants that span tables, enforced by the database itself.

- An open case's owner is an active agent (checked when a case changes, and when a user
  is deactivated or loses the agent role while still owning open cases).
- Timeline entries are append-only.

CHECK constraints cannot look at other tables, so these are triggers; the error code
23514 (check_violation) surfaces in Django as IntegrityError.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION cases_owner_is_active_agent() RETURNS trigger AS $$
BEGIN
  IF NEW.owner_id IS NOT NULL AND NEW.status <> 'closed' AND NOT EXISTS (
      SELECT 1 FROM accounts_user u
      WHERE u.id = NEW.owner_id AND u.is_active AND u.role IN ('agent', 'manager')) THEN
    RAISE EXCEPTION 'case % cannot be owned by user %: not an active agent', NEW.id, NEW.owner_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER cases_owner_is_active_agent
  BEFORE INSERT OR UPDATE OF owner_id, status ON cases_case
  FOR EACH ROW EXECUTE FUNCTION cases_owner_is_active_agent();

CREATE OR REPLACE FUNCTION cases_owner_stays_active_agent() RETURNS trigger AS $$
BEGIN
  IF (NOT NEW.is_active OR NEW.role NOT IN ('agent', 'manager')) AND EXISTS (
      SELECT 1 FROM cases_case c WHERE c.owner_id = NEW.id AND c.status <> 'closed') THEN
    RAISE EXCEPTION 'user % still owns open cases: move them before deactivating', NEW.id
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER cases_owner_stays_active_agent
  BEFORE UPDATE OF is_active, role ON accounts_user
  FOR EACH ROW EXECUTE FUNCTION cases_owner_stays_active_agent();

CREATE OR REPLACE FUNCTION cases_timeline_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'timeline entries are append-only' USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER cases_timeline_append_only
  BEFORE UPDATE OR DELETE ON cases_timelineentry
  FOR EACH ROW EXECUTE FUNCTION cases_timeline_append_only();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS cases_timeline_append_only ON cases_timelineentry;
DROP FUNCTION IF EXISTS cases_timeline_append_only();
DROP TRIGGER IF EXISTS cases_owner_stays_active_agent ON accounts_user;
DROP FUNCTION IF EXISTS cases_owner_stays_active_agent();
DROP TRIGGER IF EXISTS cases_owner_is_active_agent ON cases_case;
DROP FUNCTION IF EXISTS cases_owner_is_active_agent();
"""


def forward(apps, schema_editor):
    # SQLite rebuilds tables on most schema changes, which drops their triggers: there,
    # cases.apps installs them after every migrate instead (cases/sqlite_triggers.py).
    if schema_editor.connection.vendor == "postgresql":
        # No params: the `%` in RAISE messages are PL/pgSQL's, not placeholders.
        schema_editor.execute(POSTGRES_FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, reverse)]
