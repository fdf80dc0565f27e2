"""Full-text search of published articles (`helpdesk.knowledge.selectors.search`): a GIN
index on the exact English tsvector expression the query filters on, on PostgreSQL only
(SQLite searches by substring)."""

from django.db import migrations

INDEX = (
    "CREATE INDEX IF NOT EXISTS article_search_idx ON knowledge_article USING gin "
    "(to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(body, '')))"
)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
