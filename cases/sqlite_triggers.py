"""The invariant triggers for the embedded SQLite database.

SQLite rebuilds a table for most schema changes and drops its triggers with it, and a
trigger naming another table breaks that rebuild. So on SQLite the triggers are dropped
before `migrate` and created again after it (see cases.apps); PostgreSQL gets them from
migration 0002 once.
"""

_OWNER_CHECK = """
  WHEN NEW.owner_id IS NOT NULL AND NEW.status <> 'closed' AND NOT EXISTS (
      SELECT 1 FROM accounts_user u
      WHERE u.id = NEW.owner_id AND u.is_active AND u.role IN ('agent', 'manager'))
  BEGIN SELECT RAISE(ABORT, 'case owner must be an active agent'); END
"""

CREATE = [
    "CREATE TRIGGER IF NOT EXISTS cases_owner_is_active_agent_insert BEFORE INSERT "
    "ON cases_case" + _OWNER_CHECK,
    "CREATE TRIGGER IF NOT EXISTS cases_owner_is_active_agent_update BEFORE UPDATE OF "
    "owner_id, status ON cases_case" + _OWNER_CHECK,
    """CREATE TRIGGER IF NOT EXISTS cases_owner_stays_active_agent
    BEFORE UPDATE OF is_active, role ON accounts_user
    WHEN (NOT NEW.is_active OR NEW.role NOT IN ('agent', 'manager')) AND EXISTS (
        SELECT 1 FROM cases_case c WHERE c.owner_id = NEW.id AND c.status <> 'closed')
    BEGIN SELECT RAISE(ABORT, 'user still owns open cases: move them before deactivating');
    END""",
    # Only updates: SQLite's flush deletes rows.
    """CREATE TRIGGER IF NOT EXISTS cases_timeline_append_only
    BEFORE UPDATE ON cases_timelineentry
    BEGIN SELECT RAISE(ABORT, 'timeline entries are append-only'); END""",
]

DROP = [
    "DROP TRIGGER IF EXISTS cases_timeline_append_only",
    "DROP TRIGGER IF EXISTS cases_owner_stays_active_agent",
    "DROP TRIGGER IF EXISTS cases_owner_is_active_agent_update",
    "DROP TRIGGER IF EXISTS cases_owner_is_active_agent_insert",
]


def _execute(statements, using: str) -> None:
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    tables = set(connection.introspection.table_names())
    if not {"cases_case", "accounts_user", "cases_timelineentry"} <= tables:
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_before_migrate(sender, using="default", **kwargs) -> None:
    _execute(DROP, using)


def create_after_migrate(sender, using="default", **kwargs) -> None:
    _execute(CREATE, using)
