"""The participants' pseudonym index a hash index on PostgreSQL (decision 40, sixth step): the
pseudonym is looked up by equality only, and a hash index takes random values for about a
third of a B-tree's server CPU. Elsewhere the same plain index as before."""

from django.db import migrations

import emplus.core.models


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0017_caseload_covering_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="participant",
            name="participant_pseudonym_idx",
        ),
        migrations.AddIndex(
            model_name="participant",
            index=emplus.core.models.EqualityIndex(
                fields=["pseudonym"], name="participant_pseudonym_idx"
            ),
        ),
    ]
