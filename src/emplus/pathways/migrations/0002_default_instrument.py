"""The default self-assessment instrument: nine dimensions on the road to work, scale 1–10.

Written for the platform (licence-free); the anchors describe the two ends of each scale."""

from django.db import migrations

CODE = "VAGEN"
# code, label sv, label en, low sv, low en, high sv, high en
DIMENSIONS = [
    ("goal", "Vet vad jag vill arbeta med eller studera",
     "Knowing what I want to work with or study",
     "Jag vet inte alls", "I have no idea", "Jag vet precis och har en plan",
     "I know exactly and have a plan"),
    ("belief", "Tror att jag kan få ett arbete", "Believing I can get a job",
     "Tror inte alls", "Not at all", "Är helt övertygad", "Fully convinced"),
    ("health", "Hälsa och vardagsfunktion", "Health and daily functioning",
     "Klarar inte vardagen", "Cannot manage daily life", "Fungerar fullt ut",
     "Fully functioning"),
    ("contacts", "Kontakter med arbetslivet", "Contacts with working life",
     "Inga kontakter", "No contacts", "Många och användbara", "Many and useful"),
    ("skills", "Kunskaper och utbildning för det jag vill göra",
     "Skills and education for what I want to do",
     "Saknar helt", "None at all", "Har allt som krävs", "Have all it takes"),
    ("job_search", "Kan söka arbete (cv, ansökan, intervju)",
     "Job-search skills (CV, applications, interviews)",
     "Kan inte alls", "Cannot at all", "Kan mycket bra", "Very well"),
    ("swedish", "Svenska språket i arbetslivet", "Swedish language at work",
     "Förstår inte", "Do not understand", "Som en förstaspråkstalare",
     "Like a first-language speaker"),
    ("finances", "Ekonomisk situation", "Financial situation",
     "Mycket svår", "Very difficult", "Trygg", "Secure"),
    ("satisfaction", "Tillfredsställelse med livet", "Life satisfaction",
     "Inte alls nöjd", "Not at all satisfied", "Helt nöjd", "Completely satisfied"),
]


def create(apps, schema_editor):
    Instrument = apps.get_model("pathways", "Instrument")
    Dimension = apps.get_model("pathways", "Dimension")
    instrument, _ = Instrument.objects.get_or_create(
        code=CODE,
        version=1,
        defaults={"name_sv": "Vägen till arbete", "name_en": "The road to work",
                  "scale_min": 1, "scale_max": 10},
    )
    for order, (code, lsv, len_, lowsv, lowen, highsv, highen) in enumerate(DIMENSIONS, 1):
        Dimension.objects.get_or_create(
            instrument=instrument,
            code=code,
            defaults={"order": order, "label_sv": lsv, "label_en": len_,
                      "anchor_low_sv": lowsv, "anchor_low_en": lowen,
                      "anchor_high_sv": highsv, "anchor_high_en": highen},
        )


def remove(apps, schema_editor):
    Instrument = apps.get_model("pathways", "Instrument")
    Instrument.objects.filter(code=CODE, version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
