"""Every row owned by an organisation declares its scope once, so that restrict() can read it:
a new model with an owner and no declaration fails here, not in production (decision 21)."""

from __future__ import annotations

import pytest
from django.apps import apps

from emplus.core.scoping import RestrictedQuerySet, ScopeFields, scope_fields_of
from emplus.organisations.models import Organisation

# Rows that name an organisation but are not owned by it, with the reason.
NOT_OWNED = {
    # a request for a role, decided by partnership administrators (decision 13)
    "organisations.RoleGrant",
    # a request from one organisation to another; read only through the participant it names
    "pathways.ShareRequest",
    # the organisation that adopted an idea, not its owner; read only through its idea
    "innovation.Adoption",
}


def _owned_models():
    for model in apps.get_models():
        if not model.__module__.startswith("emplus."):
            continue
        owners = [
            f
            for f in model._meta.get_fields()
            if getattr(f, "many_to_one", False) and f.related_model is Organisation
        ]
        if owners and model._meta.label not in NOT_OWNED:
            yield model


@pytest.mark.parametrize("model", list(_owned_models()), ids=lambda m: m._meta.label)
def test_every_owned_model_declares_its_scope(model):
    queryset = model._default_manager.all()
    assert isinstance(queryset, RestrictedQuerySet), f"{model._meta.label}: not restrictable"
    fields = scope_fields_of(queryset)
    assert isinstance(fields, ScopeFields)
    # the declared paths exist: a query through them compiles
    lookups = {f"{fields.organisation}__isnull": False}
    if fields.unit:
        lookups[f"{fields.unit}__isnull"] = False
    str(model._default_manager.filter(**lookups).query)


def test_the_exemptions_still_exist():
    for label in NOT_OWNED:
        assert apps.get_model(label) is not None
