"""Fill the progress summary from the assessments already recorded (decision 44)."""

from django.db import migrations


def fill(apps, schema_editor):
    from emplus.pathways.progress_summary import enrolment_progress_refresh

    Assessment = apps.get_model("pathways", "Assessment")
    EnrolmentProgress = apps.get_model("pathways", "EnrolmentProgress")
    Instrument = apps.get_model("pathways", "Instrument")
    for instrument in Instrument.objects.filter(
        pk__in=Assessment.objects.values("instrument_id")
    ).order_by("pk"):
        enrolment_progress_refresh(
            instrument=instrument,
            enrolments=None,
            assessment_model=Assessment,
            summary_model=EnrolmentProgress,
        )


def empty(apps, schema_editor):
    apps.get_model("pathways", "EnrolmentProgress").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("pathways", "0011_enrolment_progress")]

    operations = [migrations.RunPython(fill, empty)]
