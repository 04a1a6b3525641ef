"""Every command of README.md's table, run as a real process against a freshly migrated demo database,
outside any test transaction (issue 9: the tests of export-enterprises passed inside one while the
command itself failed). From now on a README command exists only with such a test: add a function
decorated `@scenario("the-command")` in a `scenarios_*.py` module of this package (see scenarios.py).
"""

import re

import pytest
from django.core.management import get_commands, load_command_class

from .scenarios import load_all, readme_commands

SCENARIOS = load_all()
CASES = [pytest.param(command, func, id=f"{command}:{func.__name__}")
         for command, funcs in sorted(SCENARIOS.items()) for func in funcs]


def test_the_readme_lists_the_commands():
    assert {"export-enterprises", "import-enterprises", "worker"} <= set(readme_commands())


def test_every_readme_command_has_a_subprocess_scenario():
    missing = sorted(set(readme_commands()) - set(SCENARIOS))
    assert missing == [], f"README.md 列出的命令没有子进程测试：{'、'.join(missing)}"


def test_every_option_the_readme_names_exists():
    """The README's usage line and the command's parser agree (e.g. monthly-report's --agency)."""
    unknown = {}
    for command, line in readme_commands().items():
        if command not in get_commands():
            unknown[command] = "no such command"
            continue
        usage = line.split("` |", 1)[0]
        parser = load_command_class(get_commands()[command], command).create_parser("cpaudit", command)
        options = {option for action in parser._actions for option in action.option_strings}
        unknown.update({f"{command} {o}": "missing" for o in re.findall(r"(?<![\w-])--?[a-z][a-z-]*", usage)
                        if o not in options})
    assert unknown == {}


@pytest.mark.parametrize("command,func", CASES)
def test_command(command, func, site, demo):
    func(site, demo)
    assert command in site.invoked, f"场景 {func.__name__} 没有运行命令 {command}"
