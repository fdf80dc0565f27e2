"""The triage queue read in index order: a partial index with the queue's exact predicate,
and on PostgreSQL statistics of status and owner together. Estimated apart, "new" and "no
owner" multiply into a handful of rows, and the planner then fetched and sorted every
waiting case for one page (5 ms at 1,000 waiting, growing with them); with the
dependency known it walks the index and stops after the page (0.08 ms)."""

from django.conf import settings
from django.db import migrations, models


def statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS case_status_owner_stats (dependencies, mcv) "
            "ON status, owner_id FROM cases_case",
            params=None,
        )
        schema_editor.execute("ANALYZE cases_case", params=None)


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS case_status_owner_stats", params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_support_identity"),
        ("cases", "0024_full_text_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_triage_idx",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("owner__isnull", True), ("status", "new")),
                fields=["created", "id"],
                name="case_triage_order_idx",
            ),
        ),
        migrations.RunPython(statistics, drop_statistics),
    ]
