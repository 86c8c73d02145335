"""Print the public half of the key that signs export manifests (PEM), for verifiers.

    manage.py auditconsole_public_key > console.pub.pem

The key id (SHA-256 of the raw key, as manifests name it) goes to stderr, so that stdout
is the PEM file alone. Nothing secret is printed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from auditconsole.export import keys
from auditconsole.export.manifest import key_id


class Command(BaseCommand):
    help = "Print the public key (PEM) that verifies this console's export manifests."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            private = keys.private_key()
        except keys.SigningKeyError as exc:
            raise CommandError(f"No signing key: {exc}.") from None
        self.stdout.write(keys.public_pem(private), ending="")
        self.stderr.write(f"key id: {key_id(private.public_key())}")
