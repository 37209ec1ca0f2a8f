"""Meta-test: views, forms, serializers and API modules write no domain data themselves.

Every write is a service (`<app>/services.py`: keyword-only arguments, one transaction, its
audit event inside it). This walks the source of every app, the apps added later included, and
fails on a `.save()`, `.create()`, `.delete()`, bulk or queryset write, or a DRF
`perform_create`/`perform_update`/`perform_destroy`, in any module that is a view, a form, a
serializer or an API module. A line that writes something that is not domain data says why
with `# not domain data: <reason>`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import emplus

SRC = Path(emplus.__file__).parent
WRITE_METHODS = frozenset(
    {"save", "create", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
)
QUERYSET_WRITES = frozenset({"update"})  # only on a manager or queryset (not dict.update)
DRF_HOOKS = frozenset({"perform_create", "perform_update", "perform_destroy"})
ALLOW = "# not domain data:"


def _is_interface_module(path: Path) -> bool:
    """Views, forms, serializers and API modules (a module, or a package of them)."""
    parts = path.relative_to(SRC).parts
    if "migrations" in parts or "management" in parts:
        return False
    names = [p.removesuffix(".py") for p in parts[1:]]
    return any(
        name in ("views", "forms", "serializers", "api")
        or name.endswith(("_views", "_forms", "_serializers", "_api"))
        or name.startswith(("views_", "forms_", "serializers_", "api_"))
        for name in names
    )


def interface_modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if _is_interface_module(p))


def _receiver_chain(node: ast.AST) -> list[str]:
    """Names along a call chain: `Model.objects.filter(x).update` -> [Model, objects, filter]."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return names[::-1]
        else:
            return names[::-1]


def domain_writes(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in DRF_HOOKS:
            found.append((node.lineno, f"def {node.name}"))
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        method = node.func.attr
        chain = _receiver_chain(node.func.value)
        if method in WRITE_METHODS or (
            method in QUERYSET_WRITES
            and {"objects", "filter", "exclude", "all", "select_for_update"} & set(chain)
        ):
            found.append((node.lineno, f"{'.'.join(chain)}.{method}()"))
    relative = path.relative_to(SRC.parent)
    return [
        f"{relative}:{lineno}: {what}"
        for lineno, what in sorted(found)
        if ALLOW not in lines[lineno - 1]
    ]


def test_the_walk_finds_the_interface_modules_of_every_app():
    modules = {str(p.relative_to(SRC)) for p in interface_modules()}
    # a module, a package of views and a specially named form module are all found
    assert {"mapping/views.py", "mapping/forms.py", "pathways/api.py"} <= modules
    assert "pathways/serializers.py" in modules
    assert any(m.startswith("pathways/views/") for m in modules)
    assert "evidence/effect_forms.py" in modules
    assert not any(m.endswith("services.py") for m in modules)


def test_the_check_recognises_a_write(tmp_path, monkeypatch):
    # given a view module with the writes the check must find, and allowed lines
    app = tmp_path / "emplus" / "someapp"
    app.mkdir(parents=True)
    view = app / "views.py"
    view.write_text(
        "def v(request, form, serializer, data):\n"
        "    form.save()\n"
        "    Thing.objects.create(a=1)\n"
        "    Thing.objects.filter(a=1).update(a=2)\n"
        "    serializer.save()\n"
        "    data.update({'a': 1})\n"
        "    request.session.save()  # not domain data: the session\n"
        "class V:\n"
        "    def perform_create(self, serializer):\n"
        "        pass\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path / "emplus")
    # when
    found = domain_writes(view)
    # then
    assert [line.split(": ", 1)[1] for line in found] == [
        "form.save()",
        "Thing.objects.create()",
        "Thing.objects.filter.update()",
        "serializer.save()",
        "def perform_create",
    ]


def test_views_forms_serializers_and_api_modules_write_no_domain_data():
    offenders = [line for path in interface_modules() for line in domain_writes(path)]
    assert not offenders, (
        "Domain writes outside services (move each into the app's services.py with its audit "
        "event):\n" + "\n".join(offenders)
    )
