"""`{% url %}` and `{% translate %}` kept per process and language (decision 0076): every
template renders the same text as with Django's own tags."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Engine, TemplateSyntaxError, engines
from django.templatetags.i18n import TranslateNode
from django.test import RequestFactory
from django.urls import NoReverseMatch, get_script_prefix, reverse, set_script_prefix
from django.utils import translation

from emplus.core import reversing
from emplus.core.templatetags.kept_i18n import KeptTranslateNode
from emplus.core.templatetags.kept_urls import KeptURLNode

KEY, OTHER = uuid.uuid4(), uuid.uuid4()

TEMPLATES = [
    "{% load i18n %}<h1>{% translate 'Participants' %}</h1>",
    "{% load i18n %}{% trans \"Log out\" %}|{% translate 'Follow-up due' noop %}",
    "{% load i18n %}{% translate 'Participants' as title %}[{{ title }}]",
    "{% load i18n %}{% translate 'Participants'|upper %}",
    "{% load i18n %}{% translate 'May' context 'month name' %}",
    "{% load i18n %}{% translate text %}",
    "{% load i18n %}{% translate '100%% <b>&' %}",
    "{% load i18n %}{% autoescape off %}{% translate 'A & B' %}{% endautoescape %}"
    "{% translate 'A & B' %}",
    "{% load i18n %}{% blocktranslate count counter=n %}{{ counter }} participant.{% plural %}"
    "{{ counter }} participants.{% endblocktranslate %}",
    "{% url 'pathways:caseload' %}|{% url 'pathways:detail' key %}|"
    "{% url 'pathways:followup' key other %}",
    "{% url 'pathways:detail' pk=key %}|{% url 'pathways:detail' text_key %}",
    "{% url 'pathways:detail' key as there %}<a href='{{ there }}'>",
    "{% url 'pathways:no-such-page' key as there %}[{{ there }}]",
    "{% url name key %}|{% url 'pathways:detail' number as missing %}[{{ missing }}]",
    "{% autoescape off %}{% url 'pathways:caseload' %}{% endautoescape %}",
]


def _django_engine() -> Engine:
    """The project's engine as Django builds it, without the kept tags."""
    return Engine(libraries={"i18n": "django.templatetags.i18n"}, builtins=[])


def _context():
    return {
        "key": KEY,
        "other": OTHER,
        "text_key": str(KEY),
        "number": 7,
        "name": "pathways:detail",
        "text": "Participants",
        "n": 3,
    }


@pytest.mark.parametrize("source", TEMPLATES)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_template_renders_as_with_djangos_tags(source, language):
    ours = engines["django"].from_string(source)
    theirs = _django_engine().from_string(source)
    with translation.override(language):
        for _ in range(3):  # the first render keeps, the next ones give what was kept
            assert ours.render(_context()) == theirs.render(Context(_context()))


def test_the_kept_nodes_are_the_ones_used_and_only_for_constants():
    template = (
        engines["django"]
        .from_string(
            "{% load i18n %}{% translate 'A' %}{% translate text %}{% translate 'B' as b %}"
            "{% url 'pathways:caseload' %}"
        )
        .template
    )
    assert [type(node) for node in template.nodelist][1:] == [
        KeptTranslateNode,
        TranslateNode,
        TranslateNode,
        KeptURLNode,
    ]


def test_a_kept_text_follows_the_language_and_the_translation_settings(settings):
    source = "{% load i18n %}{% translate 'Participants' %}"
    template, theirs = engines["django"].from_string(source), _django_engine().from_string(source)
    with translation.override("sv"):
        assert template.render({}) == "Deltagare"
    with translation.override("en"):
        assert template.render({}) == "Participants"
    with translation.override("sv"):
        assert template.render({}) == "Deltagare"
    # when a translation setting changes (no catalogue of the project's), what was kept is
    # forgotten: the message itself, as Django's tag gives it
    settings.LOCALE_PATHS = []
    with translation.override("sv"):
        assert template.render({}) == theirs.render(Context({})) == "Participants"
    with translation.override(None):  # deactivated
        assert template.render({}) == theirs.render(Context({})) == "Participants"


def test_a_missing_address_still_fails_and_a_bad_tag_is_refused():
    template = engines["django"].from_string("{% url 'pathways:no-such-page' key %}")
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            template.render({"key": KEY})
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% url %}")
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% load i18n %}{% translate %}")


def test_a_kept_address_follows_the_script_prefix_language_and_url_configuration(settings):
    template = engines["django"].from_string("{% url 'pathways:detail' key %}")
    expected = reverse("pathways:detail", args=[KEY])
    assert template.render({"key": KEY}) == expected
    prefix = get_script_prefix()
    set_script_prefix("/emplus/")
    try:
        assert template.render({"key": KEY}) == "/emplus" + expected
    finally:
        set_script_prefix(prefix)
    assert template.render({"key": KEY}) == expected
    with translation.override("en"):
        assert template.render({"key": OTHER}) == reverse("pathways:detail", args=[OTHER])
    # a changed URL configuration forgets the kept addresses
    settings.ROOT_URLCONF = "tests.core.urls_elsewhere"
    with pytest.raises(NoReverseMatch):
        template.render({"key": KEY})


def test_the_request_namespace_is_passed_as_reverse_passes_it(monkeypatch):
    # given a request whose resolver names the application "pathways"
    request = RequestFactory().get(reverse("pathways:detail", args=[KEY]))
    from django.urls import resolve

    request.resolver_match = resolve(request.path)
    request.user = AnonymousUser()
    seen = []
    original = reversing.reverse

    def spy(name, args=None, kwargs=None, current_app=None):
        seen.append(current_app)
        return original(name, args=args, kwargs=kwargs, current_app=current_app)

    monkeypatch.setattr(reversing, "reverse", spy)
    reversing._KEYED.clear()
    template = engines["django"].from_string("{% url 'pathways:followup' key other %}")
    # when the page renders (the address is reversed once with stand-ins, then kept)
    for _ in range(3):
        out = template.render({"key": KEY, "other": OTHER}, request)
        assert out == reverse("pathways:followup", args=[KEY, OTHER])
    # then reverse saw the request's namespace, once
    assert seen == [request.resolver_match.namespace]


ADDRESSES = "emplus.core.templatetags.addresses"


def test_the_check_reports_any_other_label_used_twice(settings):
    from django.template import engines as all_engines

    # given the project's engine: its own `i18n` is not reported
    assert not [e for e in all_engines["django"].check() if e.id == "templates.W003"]
    # when another label is given a second module
    options = settings.TEMPLATES[0]["OPTIONS"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {**options, "libraries": {**options["libraries"], "static": ADDRESSES}},
        }
    ]
    # then the check reports it, as Django's does
    warnings = [e for e in all_engines["django"].check() if e.id == "templates.W003"]
    assert [w.msg for w in warnings] == [
        "'static' is used for multiple template tag modules: "
        f"'django.templatetags.static', '{ADDRESSES}'"
    ]
