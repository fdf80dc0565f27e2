"""Full-text search of what cases say (`cases.selectors.search`): GIN indexes on the same
English tsvector expressions the queries use, on PostgreSQL only (SQLite searches by
substring)."""

from django.db import migrations

INDEXES = [
    "CREATE INDEX IF NOT EXISTS timeline_body_fts_idx ON cases_timelineentry "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))",
    "CREATE INDEX IF NOT EXISTS case_description_fts_idx ON cases_case "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(description, '')))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in INDEXES:
        schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS timeline_body_fts_idx", params=None)
        schema_editor.execute("DROP INDEX IF EXISTS case_description_fts_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_saved_views")]

    operations = [migrations.RunPython(forward, reverse)]
