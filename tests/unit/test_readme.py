"""A README whose configuration table names every environment variable the code reads,
and that starts with the two commands."""

import re

from tests.servers import ROOT


def variables_read_by_the_code() -> set[str]:
    pattern = re.compile(r"""os\.(?:getenv|environ\.get|environ\[)\(?\s*["']([A-Z_]+)["']""")
    names = set()
    for path in ROOT.rglob("*.py"):
        if {".venv", "migrations"} & set(path.relative_to(ROOT).parts):
            continue
        names |= set(pattern.findall(path.read_text()))
    return names


def test_every_environment_variable_is_in_the_readme_table():
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`([A-Z_]+)`", table))

    from config import SETTINGS

    read = variables_read_by_the_code() | {name for _key, name, *_ in SETTINGS}

    assert {"DATABASE_URL", "JWT_SECRET_KEY", "REDIS_URL", "PORT"} <= read
    assert read - documented == set()


def test_every_flask_setting_the_readme_names_exists():
    from config import Config

    readme = (ROOT / "README.md").read_text()
    for name in re.findall(r"`FLASK_([A-Z_]+)`", readme):
        if name != "SKIP_DOTENV":
            assert hasattr(Config, name), name


def test_the_readme_starts_with_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh\n", 1)[1].split("```", 1)[0]

    assert [line.split()[:2] for line in first_block.strip().splitlines()] == [
        ["make", "run"],
        ["make", "test"],
    ]
