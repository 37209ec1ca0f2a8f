"""`emplus rotate-field-keys`: re-encrypt every EncryptedTextField to the newest field key and
rewrite the blind indexes with the newest search key."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.db.models.functions import Cast

from emplus.core.blind_index import rebuilders
from emplus.core.crypto import DecryptionError, EncryptedTextField, is_current, rotate


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every concrete model with its own EncryptedTextFields (parents' fields stay with them)."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


class Command(BaseCommand):
    help = (
        "Re-encrypt all encrypted fields with the newest key in EMPLUS_FIELD_KEYS and rewrite "
        "the name search index with the newest key in EMPLUS_SEARCH_KEY. Put the new key "
        "first, run this, then the old keys can be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        total = 0
        for model, fields in encrypted_fields():
            count = self._rotate_model(model, fields, batch_size)
            total += count
            self.stdout.write(f"{model._meta.label}: {count} values re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} values."))
        for rebuild in rebuilders():
            indexed = rebuild(batch_size)
            self.stdout.write(f"Search index rewritten for {indexed} records.")

    def _rotate_model(self, model, fields, batch_size: int) -> int:
        # Read the ciphertext as plain text (no decryption through the field) and write the
        # rotated token back as a plain value, so plaintext never leaves the crypto module.
        raw = {f"_raw_{f.attname}": Cast(f.attname, models.TextField()) for f in fields}
        pk_name = model._meta.pk.attname
        manager = model._base_manager
        last_pk, count = None, 0
        while True:
            with transaction.atomic():
                batch = manager.select_for_update().order_by("pk")
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                rows = list(batch.annotate(**raw).values(pk_name, *raw)[:batch_size])
                for row in rows:
                    changes = {}
                    for field in fields:
                        token = row[f"_raw_{field.attname}"]
                        if token is None or is_current(token):
                            continue
                        try:
                            changes[field.attname] = models.Value(
                                rotate(token), output_field=models.TextField()
                            )
                        except DecryptionError as exc:
                            raise CommandError(
                                f"{model._meta.label} {row[pk_name]} {field.name}: no key in "
                                "EMPLUS_FIELD_KEYS decrypts this value."
                            ) from exc
                    if changes:
                        manager.filter(pk=row[pk_name]).update(**changes)
                        count += len(changes)
            if len(rows) < batch_size:
                return count
            last_pk = rows[-1][pk_name]
