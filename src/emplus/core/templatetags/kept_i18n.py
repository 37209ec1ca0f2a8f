"""Django's `i18n` template library, with `{% translate "text" %}` of a constant kept per
language: what `{% load i18n %}` loads (settings.TEMPLATES names this module for the label).

A page translates 40-80 constant texts; Django's tag looks each up again on every render
(the variable, a lazy string, the active translation, escaping: ~6 µs each). The text of a
constant without filters, context or `as` depends only on the active language and whether the
template escapes, so each node keeps what it rendered for those two and gives it again. Any
other use of the tag is Django's. A changed translation setting forgets what was kept; a test
renders both tags and compares them."""

from __future__ import annotations

import itertools

from django import template
from django.core.signals import setting_changed
from django.template import Variable
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

# Moves when a setting that changes what a text translates to changes (tests).
_generation = itertools.count()
_current = [next(_generation)]


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._kept: dict[tuple[int, str | None, bool], str] = {}

    def render(self, context):
        key = (_current[0], get_language(), context.autoescape)
        try:
            return self._kept[key]
        except KeyError:
            text = self._kept[key] = super().render(context)
            return text


def _constant(node: i18n.TranslateNode) -> bool:
    """A quoted text alone: no filter, no message context, no `as`."""
    expression = node.filter_expression
    return (
        not expression.filters
        and isinstance(expression.var, Variable)
        and expression.var.lookups is None
        and isinstance(expression.var.literal, str)
        and node.message_context is None
        and node.asvar is None
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    """Django's `{% translate %}` (the same parsing and errors); a constant's node keeps its
    text."""
    node = i18n.do_translate(parser, token)
    if not _constant(node):
        return node
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


def _forget(*, setting: str, **kwargs) -> None:
    if setting in ("USE_I18N", "LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"):
        _current[0] = next(_generation)


setting_changed.connect(_forget)
