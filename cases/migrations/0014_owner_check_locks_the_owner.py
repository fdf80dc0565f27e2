"""An open case's owner is an active agent under concurrency too.

The triggers of 0002 each read the other table's committed state, so two transactions that
were each fine alone could break the invariant together: a transfer to Sam (Sam active
when checked) and Sam's deactivation (Sam owning nothing when checked) both committed,
leaving an open case with an inactive owner.

Now a case that gains an owner, or is reopened, takes a share lock on its owner's row
(FOR SHARE): a deactivation, which locks that row for update, waits for the transfer and
then sees the case and hands it on; or the transfer waits for the deactivation and is
refused. Other updates only read, as before, so a status change never waits on a user row
(no lock order against `deactivate_agent`, which locks the user first, then its cases).
SQLite takes one write lock per database: no race there, no change.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION cases_owner_is_active_agent() RETURNS trigger AS $$
BEGIN
  IF NEW.owner_id IS NULL OR NEW.status = 'closed' THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' OR NEW.owner_id IS DISTINCT FROM OLD.owner_id
      OR OLD.status = 'closed' THEN
    PERFORM 1 FROM accounts_user u
      WHERE u.id = NEW.owner_id AND u.is_active AND u.role IN ('agent', 'manager')
      FOR SHARE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'case % cannot be owned by user %: not an active agent', NEW.id, NEW.owner_id
        USING ERRCODE = '23514';
    END IF;
  ELSIF NOT EXISTS (
      SELECT 1 FROM accounts_user u
      WHERE u.id = NEW.owner_id AND u.is_active AND u.role IN ('agent', 'manager')) THEN
    RAISE EXCEPTION 'case % cannot be owned by user %: not an active agent', NEW.id, NEW.owner_id
      USING ERRCODE = '23514';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
"""

PREVIOUS = """
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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # No params: the `%` in RAISE messages are PL/pgSQL's, not placeholders.
        schema_editor.execute(FUNCTION, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0013_search_trigram")]

    operations = [migrations.RunPython(forward, reverse)]
