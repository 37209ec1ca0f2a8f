"""Addresses of many rows at once: `reverse` once, then each row's keys put in its place; and
the addresses without keys every page links (the header, the navigation), reversed once."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

# Stand-ins for a row's keys: valid UUIDs (so that `<uuid:...>` patterns accept them), and
# nothing a pattern's own text could contain.
_PLACEHOLDERS = tuple(str(UUID(int=0xE3B0C442_98FC_1C14_9AFB_F4C8996F_0000 + n)) for n in range(4))


def reverser(name: str, arity: int = 1, *, current_app: str | None = None) -> Callable[..., str]:
    """A function of `arity` keys (UUIDs) that returns `reverse(name, args=keys)`.

    A list page links every row (the caseload: 100 links); `reverse` takes some 30 µs a call,
    walking the patterns, converters and quoting each time. Here the pattern is reversed once
    with stand-ins and each address is the stand-ins replaced by the row's keys: the same text
    (a test compares them). Should a stand-in not come out exactly once, every call falls
    back to `reverse`. `current_app` is `reverse`'s (the `{% url %}` tag passes the request's
    namespace)."""
    stand_ins = _PLACEHOLDERS[:arity]
    template = reverse(name, args=stand_ins, current_app=current_app)
    if any(template.count(stand_in) != 1 for stand_in in stand_ins):
        return lambda *keys: reverse(name, args=keys, current_app=current_app)
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


# (name, number of keys, current app, URL configuration, script prefix, language) -> the
# address function of `reverser`, or None where its stand-ins do not reverse (then `reverse`).
_KEYED: dict[
    tuple[str, int, str | None, str | None, str, str | None], Callable[..., str] | None
] = {}


def kept_reverse(name: str, args: list, current_app: str | None = None) -> str:
    """`reverse(name, args=args, current_app=current_app)` for the `{% url %}` tag
    (core.templatetags.kept_urls): where every argument is a UUID, the pattern is reversed once
    per process, URL configuration, script prefix and language (`reverser`) and each address is
    the stand-ins replaced by the keys (a tag with two keys renders in ~14 µs instead of ~25 µs).
    Any other argument, or a pattern whose stand-ins do not reverse, takes `reverse` itself (its
    result and its `NoReverseMatch`, every time)."""
    if not all(type(arg) is UUID for arg in args):
        return reverse(name, args=args, current_app=current_app)
    key = (
        name,
        len(args),
        current_app,
        # None: settings.ROOT_URLCONF, whose change forgets what was kept (_forget_fixed)
        get_urlconf(),
        get_script_prefix(),
        get_language(),
    )
    try:
        address = _KEYED[key]
    except KeyError:
        try:
            address = reverser(name, len(args), current_app=current_app)
        except NoReverseMatch:
            address = None
        _KEYED[key] = address
    if address is None:
        return reverse(name, args=args, current_app=current_app)
    return address(*args)


def _forget_fixed(*, setting: str, **kwargs) -> None:
    """A test that changes the URL configuration sees addresses reversed again."""
    if setting in ("ROOT_URLCONF", "FORCE_SCRIPT_NAME"):
        _FIXED.clear()
        _KEYED.clear()


setting_changed.connect(_forget_fixed)
