"""Participants, consent, enrolments with their pathway, follow-ups and self-assessments."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from emplus.core.choices import Phase
from emplus.core.crypto import EncryptedTextField
from emplus.core.models import EqualityIndex, TimeStampedModel, UUIDModel
from emplus.pathways.choices import (
    EventKind,
    ExitReason,
    Gender,
    LabourMarketStatus,
    LegalBasis,
    ProcessingBasis,
    ShareRequestStatus,
    SpecialCategoryAnswer,
)
from emplus.pathways.querysets import (
    ConsentQuerySet,
    EnrolmentQuerySet,
    FollowUpQuerySet,
    ImportBatchQuerySet,
    ParticipantCountQuerySet,
    ParticipantQuerySet,
)


class Participant(UUIDModel):
    """A person taking part, owned by one organisation (the controller) and one unit."""

    # No index of its own: the unique (organisation, participant_ref) starts with it.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("organisation"),
        db_index=False,
    )
    unit = models.ForeignKey(
        "organisations.Unit",
        on_delete=models.PROTECT,
        related_name="participants",
        verbose_name=_("local unit"),
    )
    participant_ref = models.CharField(_("participant reference"), max_length=64)
    # Identity and contact details: encrypted at rest, never in URLs or logs.
    given_name = EncryptedTextField(_("given name"), blank=True)
    family_name = EncryptedTextField(_("family name"), blank=True)
    personal_id = EncryptedTextField(_("personal identity number"), null=True, blank=True)
    # NULL, not "", when there is no identity number: "" would look like one shared pseudonym.
    # Indexed in Meta: looked up by equality only, so without PostgreSQL's LIKE index.
    pseudonym = models.CharField(  # noqa: DJ001
        _("pseudonym"), max_length=64, null=True, blank=True, editable=False
    )
    # Skyddad identitet: the ESF monthly report writes a special form instead of the number.
    protected_identity = models.BooleanField(_("protected identity"), default=False)
    phone = EncryptedTextField(_("phone"), blank=True)
    email = EncryptedTextField(_("e-mail"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    # Entry characteristics (ESF+ indicators).
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    municipality = models.ForeignKey(
        "geo.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="participants",
        verbose_name=_("municipality of residence at entry"),
        db_index=False,  # indexed in Meta, without PostgreSQL's LIKE index of a text key
    )
    lm_status_entry = models.CharField(
        _("labour-market status at entry"),
        max_length=16,
        choices=LabourMarketStatus.choices,
        blank=True,
    )
    unemployed_months = models.PositiveSmallIntegerField(
        _("months of unemployment at entry"), null=True, blank=True
    )
    isced = models.PositiveSmallIntegerField(
        _("highest education (ISCED 2011)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(8)],
    )
    citizenship = models.CharField(
        _("citizenship"),
        max_length=10,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 code, stateless or unknown"),
    )
    born_abroad = models.BooleanField(_("born abroad"), null=True, blank=True)
    parents_born_abroad = models.PositiveSmallIntegerField(
        _("parents born abroad"), null=True, blank=True, validators=[MaxValueValidator(2)]
    )
    homeless = models.BooleanField(_("homeless or housing exclusion"), null=True, blank=True)
    rural_override = models.BooleanField(
        _("rural (overrides the municipality)"), null=True, blank=True
    )
    # Special categories (GDPR Art. 9): only with a recorded legal basis; never in lists.
    disability = models.CharField(
        _("disability"), max_length=8, blank=True, choices=SpecialCategoryAnswer.choices
    )
    minority = models.CharField(
        _("minority"), max_length=8, blank=True, choices=SpecialCategoryAnswer.choices
    )
    special_category_basis = models.CharField(
        _("legal basis for special categories"),
        max_length=16,
        blank=True,
        choices=LegalBasis.choices,
    )
    erased_at = models.DateTimeField(_("identity erased"), null=True, blank=True, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["participant_ref"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        # The caseload walks the first index in order for a page (decision 42); the second
        # answers its counts from the index alone. A reference search uses a trigram index on
        # PostgreSQL (migration 0008).
        indexes = [
            # With the scope's columns (INCLUDE): a page deep in the caseload walks the index
            # alone to skip the rows before it, not every skipped row's heap page (decision 50).
            models.Index(
                fields=["participant_ref", "id"],
                include=["organisation", "unit", "erased_at"],
                name="participant_ref_order_idx",
            ),
            models.Index(
                fields=["organisation", "unit", "id"],
                condition=Q(erased_at__isnull=True),
                name="participant_scope_idx",
            ),
            # The fingerprint of the kept indicator reports reads it alone (decision 45).
            models.Index(fields=["updated_at"], name="participant_updated_idx"),
            # Equality lookups only: no LIKE index beside them (decision 40); the pseudonym's
            # a hash index on PostgreSQL, cheaper to fill with random values (sixth step).
            EqualityIndex(fields=["pseudonym"], name="participant_pseudonym_idx"),
            models.Index(fields=["municipality"], name="participant_municipality_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "participant_ref"],
                name="participant_ref_unique_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(disability="", minority="") | ~Q(special_category_basis=""),
                name="participant_special_categories_need_basis",
            ),
            models.CheckConstraint(
                condition=Q(isced__lte=8) | Q(isced__isnull=True), name="participant_isced_0_to_8"
            ),
            models.CheckConstraint(
                condition=Q(parents_born_abroad__lte=2) | Q(parents_born_abroad__isnull=True),
                name="participant_parents_born_abroad_0_to_2",
            ),
        ]

    def __str__(self) -> str:
        # Never the name or the identity number: __str__ ends up in logs and admin histories.
        return self.participant_ref

    @property
    def display_name(self) -> str:
        return display_name(self.given_name, self.family_name, self.participant_ref)


def display_name(given_name: str | None, family_name: str | None, participant_ref: str) -> str:
    """How lists and pages name a participant: the names, else the reference."""
    return f"{given_name} {family_name}".strip() or participant_ref


class ParticipantCount(models.Model):
    """How many participants not erased an organisation's unit holds, kept by the database in
    the transaction of every write to the participant table (PostgreSQL triggers, migration
    0015; decision 50), so that the caseload need not walk 100 000 keys to say how many.

    Rows are deltas, summed on read: a write adds one row per unit it changed and folds into it
    the rows no other transaction holds, so a unit has one row plus one per write in flight and
    concurrent writers never wait for each other. Not kept on SQLite (the caseload counts)."""

    # Plain keys, not foreign keys: the triggers write them, and a check per delta row would
    # cost the import for nothing (they are copied from the participant's own checked keys).
    organisation = models.UUIDField(db_column="organisation_id", editable=False)
    unit = models.UUIDField(db_column="unit_id", editable=False)
    participants = models.BigIntegerField(editable=False)

    objects = ParticipantCountQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "unit"], name="participant_count_scope_idx")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.unit} {self.participants:+d}"


class FollowUpsDueVersion(models.Model):
    """How many transactions have written what the caseload's follow-ups due read (follow-ups,
    their enrolments' participants, the participants' scope, erasure and reference, consents
    and whom they share with), kept by the database (PostgreSQL triggers, migration 0019;
    decision 62). The box of the follow-ups due is kept under the sum and computed again only
    when it moves.

    Rows are deltas, summed on read, folded as ParticipantCount's are: one row plus one per
    write in flight. A transaction adds one however many statements it makes. The time of the
    newest write goes into the key beside the sum: a database restored to an earlier state
    reaches the same sums again with other data, never at the same time. Not kept on SQLite
    (the caseload computes its box on every request there)."""

    writes = models.BigIntegerField(editable=False)
    written_at = models.DateTimeField(db_default=Now(), editable=False)

    def __str__(self) -> str:
        return f"{self.writes:+d}"


class CaseloadOrderVersion(models.Model):
    """How many transactions have written what the caseload's order and scope read (a
    participant's insert or delete, reference, organisation, unit or erasure), kept by the
    database (PostgreSQL triggers, migration 0020; decision 77). The marks of a caseload's deep
    pages (every thousandth participant) are kept under the sum and read again only when it
    moves. Deltas summed on read, folded, with the newest write's time beside the sum, as
    FollowUpsDueVersion's. Not kept on SQLite (its caseload walks its pages as before)."""

    writes = models.BigIntegerField(editable=False)
    written_at = models.DateTimeField(db_default=Now(), editable=False)

    def __str__(self) -> str:
        return f"{self.writes:+d}"


class ParticipantNameToken(models.Model):
    """One keyed digest of one prefix of a participant's name: the blind index that finds an
    encrypted name by lookup (emplus.core.blind_index). Never the text; written by the services
    that write names, removed with the name on erasure.

    Beside the digest, copies of the participant's organisation, unit and reference (decision
    80): a search of an organisation's caseload is then counted and paged from the index alone,
    in the list's order, without visiting a participant it does not show. The database keeps
    the copies (a trigger on the participant, migration 0021), whichever write moves them."""

    # No index of its own: the unique (participant, digest) starts with it.
    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="name_tokens",
        editable=False,
        db_index=False,
    )
    digest = models.CharField(max_length=32, editable=False)
    # Copies, not keys: what the participant's row holds decides (the scope of a list is the
    # participants' own), these only find it fast.
    organisation_id = models.UUIDField(editable=False)
    unit_id = models.UUIDField(editable=False)
    participant_ref = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("name search token")
        verbose_name_plural = _("name search tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "digest"], name="participant_name_token_unique"
            )
        ]
        # A search looks a digest up in an organisation and wants its holders in the list's
        # order (reference, key); a coach's unit is read from the index too (PostgreSQL).
        indexes = [
            models.Index(
                fields=["digest", "organisation_id", "participant_ref", "participant"],
                include=["unit_id"],
                name="name_token_scope",
            )
        ]

    def __str__(self) -> str:
        return self.digest


class Consent(UUIDModel):
    """The recorded legal basis of a participant's data: what the participant agreed to (or
    which other basis covers which purposes), under which information text, recorded by whom.

    Only the newest record of a participant counts (`ConsentQuerySet.current`); a withdrawn
    newest record leaves the participant without one."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="consents",
        verbose_name=_("participant"),
    )
    legal_basis = models.CharField(
        _("legal basis"),
        max_length=24,
        choices=ProcessingBasis.choices,
        default=ProcessingBasis.CONSENT,
    )
    case_work = models.BooleanField(_("case work"), default=False)
    statistics = models.BooleanField(_("statistics"), default=False)
    sharing = models.BooleanField(_("sharing with named partner organisations"), default=False)
    shared_with = models.ManyToManyField(
        "organisations.Organisation",
        blank=True,
        related_name="shared_consents",
        verbose_name=_("shared with"),
    )
    follow_up = models.BooleanField(_("follow-up contact"), default=False)
    register_linkage = models.BooleanField(_("register linkage for evaluation"), default=False)
    # A coach's proposal of the participant to an employer's opportunity (worklife, decision 30).
    employer_proposals = models.BooleanField(_("sharing proposals with employers"), default=False)
    special_categories = models.BooleanField(
        _("recording of disability and minority"), default=False
    )
    information_version = models.CharField(_("version of the information text"), max_length=32)
    given_on = models.DateField(_("given on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-created_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            # Special categories and sharing rest on the participant's consent only.
            models.CheckConstraint(
                condition=Q(legal_basis=ProcessingBasis.CONSENT)
                | Q(special_categories=False, sharing=False),
                name="consent_special_and_sharing_need_consent",
            ),
            models.CheckConstraint(
                condition=Q(legal_basis=ProcessingBasis.CONSENT) | Q(employer_proposals=False),
                name="consent_employer_proposals_need_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.given_on}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class ShareRequest(UUIDModel):
    """A coach learned that a person is known to another organisation and asks it to share."""

    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="share_requests"
    )
    requesting_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ShareRequestStatus.choices,
        default=ShareRequestStatus.PENDING,
    )

    class Meta:
        verbose_name = _("share request")
        verbose_name_plural = _("share requests")


class Enrolment(UUIDModel):
    """One period of participation, entry to exit, with the situation upon leaving."""

    participant = models.ForeignKey(
        Participant,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("participant"),
    )
    entry_date = models.DateField(_("entry date"))
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=20, blank=True, choices=ExitReason.choices
    )
    method = models.ForeignKey(
        "methods.Method",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("method"),
    )
    test_bed = models.ForeignKey(
        "testbeds.TestBed",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrolments",
        verbose_name=_("test bed"),
    )
    exit_observed_on = models.DateField(
        _("situation upon leaving recorded on"), null=True, blank=True
    )
    exit_job_searching = models.BooleanField(_("job searching upon leaving"), null=True, blank=True)
    exit_in_education = models.BooleanField(
        _("in education or training upon leaving"), null=True, blank=True
    )
    exit_qualification = models.BooleanField(
        _("gained a qualification upon leaving"), null=True, blank=True
    )
    exit_employed = models.BooleanField(
        _("employed or self-employed upon leaving"), null=True, blank=True
    )

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        ordering = ["-entry_date"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        # The fingerprint of the kept indicator reports reads it alone (decision 45).
        indexes = [models.Index(fields=["updated_at"], name="enrolment_updated_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exit_date__isnull=True) | Q(exit_date__gte=F("entry_date")),
                name="enrolment_exit_after_entry",
            ),
            models.CheckConstraint(
                condition=Q(exit_observed_on__isnull=True)
                | Q(exit_observed_on__gte=F("exit_date")),
                name="enrolment_exit_observed_after_exit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.entry_date}"


class FollowUp(UUIDModel):
    """The situation six months after leaving (ESF+ EECR05/06), scheduled at exit."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.CASCADE, related_name="follow_up", verbose_name=_("enrolment")
    )
    due_on = models.DateField(_("due on"))
    observed_on = models.DateField(_("recorded on"), null=True, blank=True)
    employed = models.BooleanField(_("employed or self-employed"), null=True, blank=True)
    improved = models.BooleanField(_("improved labour-market situation"), null=True, blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        # The fingerprint of the kept indicator reports reads updated_at alone (decision 45).
        # The follow-ups not yet recorded (decision 42): a coach's caseload reaches them from
        # its enrolments (the second index, its due date read from the index), a coordinator's
        # walks them by due date and stops after a page (the third).
        indexes = [
            models.Index(fields=["updated_at"], name="followup_updated_idx"),
            # Each holds the other's columns too (INCLUDE), so that the caseload's walk over the
            # follow-ups due, which counts them and keeps the keys and dates of the first,
            # reads the indexes alone (decision 50).
            models.Index(
                fields=["enrolment", "due_on"],
                include=["id"],
                condition=Q(observed_on__isnull=True),
                name="followup_pending_idx",
            ),
            models.Index(
                fields=["due_on", "id"],
                include=["enrolment"],
                condition=Q(observed_on__isnull=True),
                name="followup_pending_due_idx",
            ),
        ]


class PathwayStep(UUIDModel):
    """A step in one of the four phases: an activity attended, with hours."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="steps", verbose_name=_("enrolment")
    )
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    activity = models.CharField(_("activity"), max_length=200)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        ordering = ["started_on", "created_at"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="step_end_after_start",
            ),
        ]


class PathwayEvent(UUIDModel):
    """Something that happened on the way: a placement, a job, a qualification, …"""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="events", verbose_name=_("enrolment")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["occurred_on", "created_at"]
        verbose_name = _("pathway event")
        verbose_name_plural = _("pathway events")


class Goal(UUIDModel):
    """A goal of the individual plan."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="goals", verbose_name=_("enrolment")
    )
    description = models.TextField(_("goal"))
    target_date = models.DateField(_("target date"), null=True, blank=True)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)

    class Meta:
        ordering = ["target_date", "created_at"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")


class Instrument(UUIDModel):
    """A self-assessment instrument: dimensions on a common scale, versioned."""

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    scale_min = models.PositiveSmallIntegerField(_("scale minimum"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("scale maximum"), default=10)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version"),
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="instrument_scale_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name_sv} v{self.version}"


class Dimension(TimeStampedModel):
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.CASCADE,
        related_name="dimensions",
        verbose_name=_("instrument"),
    )
    code = models.CharField(_("code"), max_length=32)
    order = models.PositiveSmallIntegerField(_("order"))
    label_sv = models.CharField(_("label (Swedish)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    anchor_low_sv = models.CharField(_("low anchor (Swedish)"), max_length=200)
    anchor_low_en = models.CharField(_("low anchor (English)"), max_length=200)
    anchor_high_sv = models.CharField(_("high anchor (Swedish)"), max_length=200)
    anchor_high_en = models.CharField(_("high anchor (English)"), max_length=200)

    class Meta:
        ordering = ["instrument", "order"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "code"], name="dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return self.label_sv


class Assessment(UUIDModel):
    """One self-assessment on an instrument, during an enrolment."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("enrolment")
    )
    instrument = models.ForeignKey(
        Instrument,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("instrument"),
    )
    assessed_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # True when the participant filled it in through a self-service link (recorded_by is empty).
    entered_by_participant = models.BooleanField(_("entered by the participant"), default=False)

    class Meta:
        ordering = ["assessed_on", "created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(_("value"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="score_one_per_dimension"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dimension_id}: {self.value}"


class InstrumentReliability(models.Model):
    """The reliability statistics of an instrument's reliable-change index, kept between
    requests (docs/decisions/0039-evidence-from-the-database-at-columnar-speed.md).

    `data_version` counts the writes of the instrument's assessments (the services raise it in
    the write's transaction); `statistics` were computed from the data of `computed_version`
    and are used only while it equals `data_version`. They carry the exact sums they are
    computed from, which the services' writes bring up to date (decision 56). Derived data, no
    personal data."""

    instrument = models.OneToOneField(
        Instrument, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    data_version = models.PositiveBigIntegerField(default=0)
    computed_version = models.PositiveBigIntegerField(null=True)
    statistics = models.JSONField(null=True)

    class Meta:
        verbose_name = _("reliability statistics")
        verbose_name_plural = _("reliability statistics")

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.data_version}"


class EnrolmentProgress(models.Model):
    """Each enrolment's first and latest assessment on an instrument, kept by the services that
    write assessments (docs/decisions/0044-stored-progress-summary.md): the progression page
    reads one row per enrolment instead of every assessment and score.

    Order is the assessments' (assessed_on, created_at, id). `first` and `latest` are the
    values scored at that assessment in the order of the instrument's dimensions, separated by
    commas, empty where a dimension was not scored ("4,7,,5"): two short texts per row, which
    PostgreSQL writes and Polars splits far faster than JSON or a column per dimension. With
    one assessment both are the same. Derived data: `emplus rebuild-progress` writes it again
    from the assessments (also after a change of an instrument's dimensions)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="+")
    assessments = models.PositiveIntegerField()
    first_on = models.DateField()
    latest_on = models.DateField()
    first = models.TextField()
    latest = models.TextField()

    class Meta:
        verbose_name = _("progress summary")
        verbose_name_plural = _("progress summaries")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "enrolment"], name="enrolment_progress_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.instrument_id}: {self.assessments}"


class ImportBatch(UUIDModel):
    """Who imported which file, when, for which organisation, under which legal basis."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64)
    legal_basis = models.CharField(
        _("legal basis for special categories"),
        max_length=16,
        blank=True,
        choices=LegalBasis.choices,
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    special_values_left_out = models.PositiveIntegerField(
        _("special-category values left out"), default=0
    )

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
