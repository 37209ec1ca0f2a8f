"""Types every app shares: `User`, the acting or viewing user of a service or selector.

The concrete user model lives in `emplus.accounts`, a layer above `core` and `organisations`;
the import below runs for the type checker only, so no app is imported at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from emplus.accounts.models import User as _User

    User: TypeAlias = _User
else:
    User = object  # only a name at run time; annotations are not evaluated (PEP 563)

__all__ = ["User"]
