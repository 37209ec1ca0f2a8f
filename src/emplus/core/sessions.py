"""The session engine: Django's database sessions, read with SQL compiled once (core.compiled).

The same table, rows and expiry: a session ended (log-out, flushed) is gone at the next request.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from emplus.core.compiled import CompiledRead

SESSION_READ = CompiledRead(
    Session,
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    key=("session_key", "\x00stand-in"),
    now=("expire_date", datetime(1, 1, 1, tzinfo=UTC)),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        session = SESSION_READ.first(key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None  # as Django's: a new session if anything is saved
        return session
