"""The shape of the tree: what import-linter cannot see (root modules are not packages)."""

import ast

from tests.servers import ROOT

FIXED = {"app.py", "blocklist.py", "config.py", "extensions.py", "server.py"}
APP_PACKAGES = {"auth", "web", "models", "schemas", "resources", "app", "blocklist", "config"}


def imported_roots(path) -> set[str]:
    """The top-level names a module imports, function-level imports included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_root_holds_only_the_fixed_modules():
    assert {path.name for path in ROOT.glob("*.py")} == FIXED


def test_extensions_and_config_import_nothing_of_the_app():
    for name in ("extensions.py", "config.py"):
        assert imported_roots(ROOT / name) & APP_PACKAGES == set(), name


def test_nothing_in_the_app_imports_app_or_blocklist():
    for package in ("auth", "web", "models", "schemas", "resources"):
        for path in (ROOT / package).rglob("*.py"):
            assert imported_roots(path) & {"app", "blocklist"} == set(), path


def test_no_module_of_the_app_runs_sql_on_the_raw_driver():
    for package in ("auth", "web", "models", "schemas", "resources"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text()
            assert "raw_connection(" not in text and ".compile(" not in text, path
