"""Abstract base models shared by every app."""

from __future__ import annotations

import uuid

from django.db import models, router
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from emplus.core.compiled import CompiledInsert


def in_page_language(sv: str, en: str) -> str:
    """The Swedish or English text of a bilingual reference row, as the page's language."""
    return en if (get_language() or "sv").startswith("en") else sv


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class UUIDModel(TimeStampedModel):
    """For personal data and anything whose key appears in a URL: keys that cannot be guessed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class EqualityIndex(models.Index):
    """An index of one column looked up by equality only (`=`, `IN`): on PostgreSQL a hash
    index, elsewhere the database's ordinary one. A hash index keeps a 4-byte hash per row
    instead of the value, so adding rows whose values are random (a pseudonym) costs the
    server about a third of what a B-tree costs, and the index is a fraction of the size; it
    cannot serve a range, an order, `IS NULL` or a unique constraint (decision 40, sixth
    step)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if len(self.fields) != 1 or self.include or self.opclasses or self.expressions:
            raise ValueError("An EqualityIndex is on one plain column.")

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING hash"
        return super().create_sql(model, schema_editor, using=using, **kwargs)


class AppendOnlyError(Exception):
    """The audit log is append-only: its rows are never changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def _raw_delete(self, using):
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be updated.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are appended one by one through audit_log().")


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained audit log; written only by core.audit_log().

    The actor and organisation are stored as plain values, not foreign keys, so that deleting a
    user or an organisation can never rewrite or remove history.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The log is a few hash chains ("lanes", docs/decisions/0042): an append takes whichever
    # lane is free, so a long transaction holding one does not hold up every other request.
    # `sequence` counts within the lane.
    lane = models.PositiveSmallIntegerField(_("lane"), default=0, editable=False)
    sequence = models.PositiveBigIntegerField(_("sequence"), editable=False)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True, editable=False)
    actor_id = models.UUIDField(_("actor id"), null=True, blank=True, editable=False)
    actor_username = models.CharField(_("actor"), max_length=150, blank=True, editable=False)
    organisation_id = models.UUIDField(
        _("organisation id"), null=True, blank=True, db_index=True, editable=False
    )
    action = models.CharField(_("action"), max_length=100, db_index=True, editable=False)
    target_type = models.CharField(_("target type"), max_length=100, blank=True, editable=False)
    target_id = models.CharField(_("target id"), max_length=64, blank=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=200, blank=True, editable=False)
    details = models.JSONField(_("details"), default=dict, blank=True, editable=False)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)
    # Names the EMPLUS_AUDIT_KEY the hash is keyed with; empty for events from before the key.
    key_id = models.CharField(_("key id"), max_length=16, blank=True, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "lane", "sequence"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["target_type", "target_id"], name="auditevent_target_idx")]
        constraints = [
            models.UniqueConstraint(fields=["lane", "sequence"], name="auditevent_lane_sequence")
        ]

    def __str__(self) -> str:
        return f"#{self.lane}.{self.sequence} {self.action}"

    def save(self, *args, using=None, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed once written.")
        if args or kwargs:
            kwargs["force_insert"] = True
            super().save(*args, using=using, **kwargs)
            return
        # Every list request appends one: its INSERT compiled once per process, the same row
        # (decision 0072). No receiver listens for this model's save signals.
        _AUDIT_INSERT.insert(self, using or router.db_for_write(AuditEvent, instance=self))

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events cannot be deleted.")


_AUDIT_INSERT = CompiledInsert(AuditEvent)


class TaskWorker(models.Model):
    """A running background worker (`emplus db-worker`) and its lease: the worker renews
    `seen_at` (database time) while it lives; a task left running by a worker whose lease has
    expired is queued again (core.task_workers, docs/decisions/0041)."""

    worker_id = models.CharField(_("worker id"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        ordering = ["host", "pid"]
        verbose_name = _("background worker")
        verbose_name_plural = _("background workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, {self.pid})"
