"""The export manifests' chain head (docs/export.md), and the ``view_access`` permission.

Both belong to issue 20 and ship together: the table is created empty (its row is made by
the first export), and the permission is created by ``migrate`` like the others.
"""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("auditconsole", "0003_logentry_object_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ManifestChain",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("digest", models.CharField(blank=True, default="", max_length=64)),
                ("updated", models.DateTimeField(auto_now=True)),
            ],
            options={
                "verbose_name": "export manifest chain",
                "default_permissions": (),
            },
        ),
        migrations.AlterModelOptions(
            name="console",
            options={
                "default_permissions": (),
                "managed": False,
                "permissions": (
                    ("view_activity", "Can view audit activity (LogEntry)"),
                    ("view_logs", "Can view log sources"),
                    ("export", "Can export audit CSV"),
                    ("view_access", "Can view who viewed and searched in the console"),
                ),
                "verbose_name": "audit console",
            },
        ),
    ]
