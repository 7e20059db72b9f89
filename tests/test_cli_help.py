"""Every command and subcommand explains itself and ends its help with an example."""

import re

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import LAZY_COMMANDS, cli

# The help's last paragraphs: "Example:" (or "Examples:") and indented newswatch lines only.
ENDS_WITH_EXAMPLE = re.compile(r"\n\s*Examples?:\s*\n(\s*\n)*(\s+newswatch [^\n]+\s*\n?)+\s*$")


def all_commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, f"{name} is listed but cannot be loaded"
        found.append((*path, name))
        if isinstance(command, click.Group):
            found += all_commands(command, (*path, name))
    return found


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


@pytest.mark.parametrize("name", sorted(LAZY_COMMANDS))
def test_the_help_list_says_what_each_lazily_loaded_command_says(name: str) -> None:
    # `newswatch --help` shows the short helps kept in LAZY_COMMANDS, not the commands' own.
    command = command_at((name,))
    kept = click.Command(name, help=LAZY_COMMANDS[name][1])
    for limit in (45, 80, 200):
        assert kept.get_short_help_str(limit) == command.get_short_help_str(limit)
    assert command.name == name


@pytest.mark.parametrize("path", all_commands(cli), ids=" ".join)
def test_every_command_help_ends_with_an_example(path: tuple[str, ...]) -> None:
    command = command_at(path)
    assert command.help, f"{' '.join(path)} has no help text"
    assert ENDS_WITH_EXAMPLE.search(command.help), f"{' '.join(path)}: no example at the end"
    example = command.help.rsplit("Example", 1)[1]
    assert f"newswatch {' '.join(path)}" in example, "the example runs another command"
    shown = CliRunner().invoke(cli, [*path, "--help"])
    assert shown.exit_code == 0 and "Example" in shown.output


def test_the_sources_group_and_its_subcommands_are_there() -> None:
    names = {" ".join(path) for path in all_commands(cli)}
    expected = {"add", "remove", "pause", "resume", "rename", "import", "export", "list"}
    assert {f"sources {name}" for name in expected} <= names
    assert {"browse", "export", "show"} <= names


def test_a_program_option_typed_after_the_command_says_where_it_goes() -> None:
    late = CliRunner().invoke(cli, ["stats", "--config", "x.toml"])
    assert late.exit_code == 2
    assert "--config goes before the command: newswatch --config … stats …" in late.output
    nested = CliRunner().invoke(cli, ["sources", "list", "-v"])
    assert nested.exit_code == 2 and "-v goes before the command" in nested.output
    other = CliRunner().invoke(cli, ["stats", "--bogus"])
    assert other.exit_code == 2 and "No such option" in other.output
