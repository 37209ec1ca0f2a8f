"""`{% address "app:name" %}`: `{% url "app:name" %}` for a pattern without arguments, reversed
once per process (core.reversing.fixed_address): the header's links on every page."""

from __future__ import annotations

from django import template

from emplus.core.reversing import fixed_address

register = template.Library()


@register.simple_tag
def address(name: str) -> str:
    return fixed_address(name)
