"""`{% url %}` with its reversal kept (core.reversing.kept_reverse): a builtin of the template
engine (settings.TEMPLATES), in place of Django's tag of the same name and syntax.

The participant page links some 20 addresses of its participant, enrolments and consents;
Django's tag reverses each (the patterns, converters and quoting walked each time, ~25 µs).
Here a pattern is reversed once with stand-in keys and each address is the stand-ins replaced
by the page's keys: the same text (a test renders both tags and compares them)."""

from __future__ import annotations

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

from emplus.core.reversing import kept_reverse

register = template.Library()


class KeptURLNode(defaulttags.URLNode):
    def render(self, context):
        # Django's URLNode.render, with kept_reverse for reverse where no keyword is given.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            if kwargs or not isinstance(view_name, str):
                url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
            else:
                url = kept_reverse(view_name, args, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    """Django's `{% url %}` (the same parsing and errors), rendered by KeptURLNode."""
    node = defaulttags.url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
