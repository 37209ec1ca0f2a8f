"""Addresses of many rows at once: `reverse` once, then each row's keys put in its place; and
the addresses without keys every page links (the header, the navigation), reversed once."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Stand-ins for a row's keys: valid UUIDs (so that `<uuid:...>` patterns accept them), and
# nothing a pattern's own text could contain.
_PLACEHOLDERS = tuple(str(UUID(int=0xE3B0C442_98FC_1C14_9AFB_F4C8996F_0000 + n)) for n in range(4))


def reverser(name: str, arity: int = 1) -> Callable[..., str]:
    """A function of `arity` keys (UUIDs) that returns `reverse(name, args=keys)`.

    A list page links every row (the caseload: 100 links); `reverse` takes some 30 µs a call,
    walking the patterns, converters and quoting each time. Here the pattern is reversed once
    with stand-ins and each address is the stand-ins replaced by the row's keys: the same text
    (a test compares them). Should a stand-in not come out exactly once, every call falls
    back to `reverse`."""
    stand_ins = _PLACEHOLDERS[:arity]
    template = reverse(name, args=stand_ins)
    if any(template.count(stand_in) != 1 for stand_in in stand_ins):
        return lambda *keys: reverse(name, args=keys)
    parts = [template]
    for stand_in in stand_ins:
        head, tail = parts[-1].split(stand_in)
        parts[-1:] = [head, tail]

    def address(*keys) -> str:
        if len(keys) != arity:
            raise TypeError(f"{name} takes {arity} keys, got {len(keys)}")
        out = [parts[0]]
        for key, part in zip(keys, parts[1:], strict=True):
            # what the uuid converter's to_url gives, and refuses: anything not a UUID
            out.append(str(key if isinstance(key, UUID) else UUID(str(key))))
            out.append(part)
        return "".join(out)

    return address


# (name, URL configuration, script prefix, language) -> address; a few dozen entries at most.
_FIXED: dict[tuple[str, str, str, str | None], str] = {}


def fixed_address(name: str) -> str:
    """`reverse(name)` of a pattern without arguments, reversed once per process.

    Every page links some 25 of them (the header, the navigation): 30 µs a `reverse`, about
    0.8 ms a page. The address depends only on the URL configuration, the script prefix and
    (for translated patterns) the language, all in the key; a name that does not reverse raises
    `NoReverseMatch` as `reverse` does, and nothing is kept."""
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), get_language())
    try:
        return _FIXED[key]
    except KeyError:
        address = _FIXED[key] = reverse(name)
        return address


def _forget_fixed(*, setting: str, **kwargs) -> None:
    """A test that changes the URL configuration sees addresses reversed again."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _FIXED.clear()


setting_changed.connect(_forget_fixed)
