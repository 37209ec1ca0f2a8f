"""Demo innovation pipeline: ideas at every stage, each move with its criteria, one idea scaled
to two regions."""

from __future__ import annotations

import pytest

from emplus.demo.builder import demo_data_create
from emplus.geo.services import reference_data_load
from emplus.innovation.choices import Stage
from emplus.innovation.models import Idea, StrategyGoal

pytestmark = pytest.mark.django_db


def test_the_demo_has_ideas_at_every_stage():
    reference_data_load()
    demo_data_create(participants=50)
    assert set(Idea.objects.values_list("stage", flat=True)) == set(Stage.values)
    scaled = Idea.objects.get(stage=Stage.SCALED)
    assert scaled.adoptions.exclude(county=None).values("county").distinct().count() == 2
    tested = Idea.objects.get(stage=Stage.TESTED)
    assert tested.test_bed_id and tested.test_start and tested.test_end
    for idea in Idea.objects.exclude(stage=Stage.IDEA):
        assert idea.moves.exists()
        assert all(move.criteria.exists() for move in idea.moves.all())
    assert StrategyGoal.objects.exists()
