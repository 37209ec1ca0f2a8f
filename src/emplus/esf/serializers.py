"""API representations of ESF projects, months and the submission log (read-only). No
identity number is ever serialised: files are downloaded as they were logged."""

from __future__ import annotations

from rest_framework import serializers

from emplus.esf.choices import ColumnField, DateFormat, ProgrammeArea, TemplateSource
from emplus.esf.models import ESFProject, ReportFile


class ColumnSerializer(serializers.Serializer):
    header = serializers.CharField()
    field = serializers.ChoiceField(choices=ColumnField.choices)
    text = serializers.CharField(allow_blank=True)


class TemplateSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=TemplateSource.choices)
    source_file_name = serializers.CharField(allow_blank=True)
    date_format = serializers.ChoiceField(choices=DateFormat.choices)
    columns = ColumnSerializer(many=True)


class ESFProjectSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    programme_area = serializers.ChoiceField(choices=ProgrammeArea.choices)
    participating_organisations = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    participating_units = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    men_protected_form_set = serializers.SerializerMethodField()
    template = serializers.SerializerMethodField()

    class Meta:
        model = ESFProject
        fields = [
            "id",
            "case_number",
            "title",
            "organisation",
            "programme_area",
            "start_date",
            "end_date",
            "participating_organisations",
            "participating_units",
            "men_protected_form_set",
            "template",
        ]
        read_only_fields = fields

    def get_men_protected_form_set(self, project) -> bool:
        return bool(project.men_protected_form)

    def get_template(self, project) -> dict:
        template = project.template
        return TemplateSerializer(
            {
                "source": template.source,
                "source_file_name": template.source_file_name,
                "date_format": template.date_format,
                "columns": [
                    {"header": c.header, "field": c.field, "text": c.text}
                    for c in template.columns.all()
                ],
            }
        ).data


class ReportFileSerializer(serializers.ModelSerializer):
    project = serializers.PrimaryKeyRelatedField(read_only=True)
    month = serializers.SerializerMethodField()
    generated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ReportFile
        fields = [
            "id",
            "project",
            "month",
            "file_name",
            "file_sha256",
            "row_count",
            "generated_by",
            "generated_at",
            "sent_by",
            "sent_at",
        ]
        read_only_fields = fields

    def get_month(self, report_file) -> str:
        return report_file.month.strftime("%Y-%m")


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=["identity_ref", "start_date", "end_date"])
    sent = serializers.CharField(allow_blank=True)
    current = serializers.CharField(allow_blank=True)


class RowChangeSerializer(serializers.Serializer):
    participant_ref = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    fields = FieldChangeSerializer(many=True)


MONTH_STATES = ["not_open", "open", "generated", "sent", "correction", "resend"]


class MonthStatusSerializer(serializers.Serializer):
    month = serializers.CharField()
    state = serializers.ChoiceField(choices=MONTH_STATES)
    opens_on = serializers.DateField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()
    changes = RowChangeSerializer(many=True)


class MonthsSerializer(serializers.Serializer):
    months = MonthStatusSerializer(many=True)
    to_correct = serializers.ListField(child=serializers.CharField())
    to_resend = serializers.ListField(child=serializers.CharField())


class ReportRowSerializer(serializers.Serializer):
    participant_ref = serializers.CharField()
    kind = serializers.ChoiceField(choices=["start", "end", "start_end"])
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    protected_identity = serializers.BooleanField()
    identity_recorded = serializers.BooleanField()


class ProblemSerializer(serializers.Serializer):
    participant_ref = serializers.CharField(allow_blank=True)
    field = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class MonthReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    rows = ReportRowSerializer(many=True)
    problems = ProblemSerializer(many=True)
