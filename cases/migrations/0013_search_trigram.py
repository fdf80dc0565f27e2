"""Trigram indexes for the desk's substring search (titles, identifier values), on
PostgreSQL with pg_trgm only. Django's icontains compares UPPER(column) with LIKE, so the
indexes are on that expression."""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS case_title_trgm_idx ON cases_case "
    "USING gin ((UPPER(title::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS identifier_value_trgm_idx ON cases_customeridentifier "
    "USING gin ((UPPER(value::text)) gin_trgm_ops)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return
    for statement in INDEXES:
        schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_title_trgm_idx", params=None)
        schema_editor.execute("DROP INDEX IF EXISTS identifier_value_trgm_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_bounce_fields")]

    operations = [migrations.RunPython(forward, reverse)]
