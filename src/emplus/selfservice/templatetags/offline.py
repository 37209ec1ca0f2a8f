"""Template tag for the offline queue's script: its texts in the page's language, as a JSON
data block (not a script, so the Content Security Policy lets it through)."""

from __future__ import annotations

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def offline_texts() -> dict[str, str]:
    return {
        "queued": _("Saved on this device. It will be sent when the connection returns."),
        "queued_public": _(
            "Your answers are saved on this phone. They are sent when you are online again: "
            "keep this page open."
        ),
        "sent_public": _("Thank you! Your answers are saved."),
        "offline": _("No connection. What you save stays on this device and is sent later."),
        "waiting_one": _("%(n)s entry is waiting to be sent."),
        "waiting_other": _("%(n)s entries are waiting to be sent."),
        "sent": _("Sent: %(n)s."),
        "show": _("Show"),
        "empty": _("Nothing is waiting to be sent."),
        "what": _("What"),
        "saved_at": _("Saved on the device"),
        "state": _("State"),
        "actions": _("Actions"),
        "state_waiting": _("Waiting"),
        "state_conflict": _("Conflict"),
        "state_invalid": _("Not saved"),
        "state_login": _("Log in again to send"),
        "save_anyway": _("Save anyway"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this entry? It has not been saved on the server."),
        "logout_confirm": _(
            "%(n)s entries have not been sent. Logging out deletes them from this device. "
            "Log out anyway?"
        ),
        "missing_answers": _("Answer every question before saving."),
        "kind_assessment": _("Assessment"),
        "kind_event": _("Pathway event"),
        "kind_time_hours": _("Hours of a month"),
        "kind_time_paper": _("Paper attestation"),
        "kind_link": _("Answers through a link"),
        "no_target": _("Open this form from the participant's page."),
    }


# The data block of each language, made once per process: every page of a logged-in user
# carries it, and its 30 translations and JSON cost some 0.2 ms a page.
_BLOCKS: dict[str | None, SafeString] = {}


@register.simple_tag
def offline_strings() -> SafeString:
    language = get_language()
    block = _BLOCKS.get(language)
    if block is None:
        block = _BLOCKS[language] = json_script(offline_texts(), "offline-i18n")
    return block
