"""Django's template backend, whose check knows the one library label the project gives its
own module on purpose: `i18n`, Django's library with `{% translate %}` of a constant kept
(core.templatetags.kept_i18n, decision 0076)."""

from __future__ import annotations

from django.template.backends.django import DjangoTemplates as DjangosTemplates

_KEPT_I18N = (
    "'i18n' is used for multiple template tag modules: "
    "'django.templatetags.i18n', 'emplus.core.templatetags.kept_i18n'"
)


class DjangoTemplates(DjangosTemplates):
    def check(self, **kwargs):
        # Any other label used twice is still reported (templates.W003).
        return [
            error
            for error in super().check(**kwargs)
            if not (error.id == "templates.W003" and error.msg == _KEPT_I18N)
        ]
