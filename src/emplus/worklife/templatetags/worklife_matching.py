"""Matching on pages: a score's reasons as sentences, and a participant's work profile and
proposals (loaded by name on the participant's page, which sits in a lower app)."""

from __future__ import annotations

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from emplus.core.choices import Phase
from emplus.evidence_core.job_matching import Reason
from emplus.worklife import selectors

register = template.Library()


def _phase(value: object) -> str:
    return str(Phase(value).label) if value in Phase.values else str(value)


@register.filter
def reason_sentence(reason: Reason) -> str:
    """One part of a matching score in words, with the numbers that decided it."""
    v = dict(reason.values)
    if "available_from" in v:
        v["available_from"] = date_format(v["available_from"], "Y-m-d")
    if "phase" in v:
        v["phase"] = _phase(v["phase"])
    sentences = {
        "opportunity_without_occupation": _("The opportunity names no occupation."),
        "no_goal": _("No occupational goal recorded."),
        "same_occupation": _("Goal %(goal)s is the opportunity's occupation."),
        "related_occupation": _("Goal %(goal)s shares %(digits)s digits with the occupation."),
        "other_occupation": _("No goal in the opportunity's occupational field."),
        "home_unknown": _("Home municipality not known."),
        "workplace_unknown": _("The workplace's municipality has no reference point."),
        "same_municipality": _("Lives in the same municipality."),
        "within_commute": _("%(km)s km away, within the %(limit)s km commute."),
        "too_far": _("%(km)s km away, beyond the %(limit)s km commute."),
        "available": _("Available by the start, for the hours."),
        "available_later": _("Available only from %(available_from)s."),
        "fewer_hours": _("Can work %(hours)s of the %(wanted)s hours a week."),
        "later_and_fewer_hours": _(
            "Available only from %(available_from)s, for %(hours)s of %(wanted)s hours a week."
        ),
        "no_phase": _("No current phase on the pathway."),
        "phase_fits": _("The %(phase)s phase fits this kind of opportunity."),
        "phase_near": _("The %(phase)s phase is next to the one that fits."),
        "phase_far": _("The %(phase)s phase is far from the one that fits."),
    }
    sentence = sentences.get(reason.code, reason.code)
    try:
        return sentence % v
    except (KeyError, TypeError, ValueError):
        return sentence


@register.filter
def reason_part(reason: Reason) -> str:
    return {
        "occupation": _("Occupation"),
        "distance": _("Distance"),
        "availability": _("Availability"),
        "phase": _("Phase"),
    }.get(reason.part, reason.part)


@register.inclusion_tag("worklife/includes/participant_matching.html", takes_context=True)
def participant_matching(context, participant):
    """The participant's work profile and proposals with their history, for a viewer who may
    see them (nothing otherwise)."""
    viewer = context["request"].user
    if not selectors.participant_can_see_proposals(viewer=viewer, participant=participant):
        return {"shown": False}
    return {
        "shown": True,
        "participant": participant,
        "profile": selectors.work_profile_of(viewer=viewer, participant=participant),
        "events": selectors.participant_proposal_history(viewer=viewer, participant=participant),
        "can_change": selectors.participant_can_propose(viewer=viewer, participant=participant),
    }
