from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Console",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "verbose_name": "audit console",
                "managed": False,
                "default_permissions": (),
                "permissions": (
                    ("view_activity", "Can view audit activity (LogEntry)"),
                    ("view_logs", "Can view log sources"),
                    ("export", "Can export audit CSV"),
                ),
            },
        ),
    ]
