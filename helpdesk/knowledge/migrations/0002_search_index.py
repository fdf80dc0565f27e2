"""Full-text search of published articles (`helpdesk.knowledge.selectors.search`): a GIN
index on the words kept when an article is published, on PostgreSQL only (SQLite searches
the text by substring)."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_idx ON knowledge_article "
            "USING gin (search_vector)",
            params=None,
        )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS article_search_idx", params=None)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
