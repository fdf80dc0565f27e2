"""Full-text search for similar-case detection, on PostgreSQL only.

A GIN index over the same weighted expression the detector queries (title A, description
B), and pg_trgm for title similarity when the extension can be created here. SQLite uses
the word-overlap fallback in cases/similarity.py and gets neither.
"""

from django.db import migrations

INDEX = """
CREATE INDEX IF NOT EXISTS case_search_idx ON cases_case USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(description, '')), 'B')
))
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(INDEX, params=None)
    # Creating an extension needs privileges a production role may lack: try, and let
    # the detector check at run time whether it is there.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SAVEPOINT trgm")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT trgm")
        else:
            cursor.execute("RELEASE SAVEPOINT trgm")


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_search_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0006_incidents")]

    operations = [migrations.RunPython(forward, reverse)]
