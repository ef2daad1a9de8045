"""completion: a shell completion script (bash, zsh or fish), generated from the parser itself
so it always names the commands and options that exist.

    eval "$(flashdeck completion bash)"          # in ~/.bashrc
    flashdeck completion zsh > "${fpath[1]}/_flashdeck"
    flashdeck completion fish > ~/.config/fish/completions/flashdeck.fish
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass, field

SHELLS = ("bash", "zsh", "fish")
_WORD = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def register(sub) -> None:
    p = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)",
                       description="Print a completion script for SHELL. bash: "
                                   'eval "$(flashdeck completion bash)" in ~/.bashrc; zsh: save '
                                   "it as _flashdeck in a directory of $fpath; fish: save it as "
                                   "~/.config/fish/completions/flashdeck.fish.")
    p.add_argument("shell", metavar="SHELL", choices=SHELLS, help="bash, zsh or fish")
    p.set_defaults(func=cmd_completion)


# -- what the parser holds --------------------------------------------------------------------
@dataclass
class Option:
    flags: list[str]  # e.g. ["-h", "--help"]
    takes_value: bool
    choices: list[str]
    help: str
    files: bool  # its value is a path


@dataclass
class Positional:
    name: str
    choices: list[str]
    files: bool  # PATH arguments complete file names
    many: bool


@dataclass
class Command:
    name: str
    help: str
    options: list[Option] = field(default_factory=list)
    positionals: list[Positional] = field(default_factory=list)


def _help(action: argparse.Action) -> str:
    text = action.help if action.help and action.help != argparse.SUPPRESS else ""
    text = " ".join(text.replace("%%", "%").split())
    return text if len(text) <= 70 else text[:67].rstrip() + "..."


def _words(values) -> list[str]:
    return [str(v) for v in values or () if _WORD.match(str(v))]


def _describe(parser: argparse.ArgumentParser, name: str, help_text: str) -> Command:
    command = Command(name, help_text)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            continue
        if action.option_strings:
            if action.help == argparse.SUPPRESS:
                continue
            flags = [f for f in action.option_strings if re.match(r"^--?[A-Za-z0-9][\w-]*$", f)]
            metavar = str(action.metavar or action.dest or "").upper()
            command.options.append(Option(
                flags, action.nargs != 0, _words(action.choices), _help(action),
                files=metavar in ("PATH", "FILE") or "PATH" in metavar))
        else:
            metavar = str(action.metavar or action.dest or "")
            choices = _words(action.choices)
            if not choices and re.match(r"^\w+(\|\w+)+$", metavar):  # again|hard|good|easy
                choices = metavar.split("|")
            command.positionals.append(Positional(
                metavar, choices, files="PATH" in metavar.upper()
                or metavar.upper().startswith("FILE"),  # FILE.apkg
                many=action.nargs in ("+", "*", argparse.REMAINDER)))
    return command


def describe(parser: argparse.ArgumentParser) -> tuple[Command, list[Command]]:
    """The top level (its options) and each subcommand, in the order they were registered."""
    top = _describe(parser, "flashdeck", parser.description or "")
    commands = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: _help(a) for a in action._choices_actions}
            for name, sub in action.choices.items():
                if _WORD.match(name):
                    commands.append(_describe(sub, name, helps.get(name, "")))
    return top, commands


# -- the scripts ----------------------------------------------------------------------------------
def _value_options(commands: list[Command]) -> list[str]:
    return sorted({f for c in commands for o in c.options if o.takes_value for f in o.flags})


def bash_script(top: Command, commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    top_words = " ".join([f for o in top.options for f in o.flags] + [names])
    top_values = [f for o in top.options if o.takes_value for f in o.flags]
    lines = [
        "# bash completion for flashdeck: eval \"$(flashdeck completion bash)\" in ~/.bashrc",
        "# paths one per line: a note named `F1 Score.md` is one word, not two (bash 3.2 too)",
        "_flashdeck_files() {",
        "    local IFS=$'\\n'",
        '    COMPREPLY=($(compgen -f -- "$1"))',
        "}",
        "_flashdeck() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" i',
        '    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "    for (( i = 1; i < COMP_CWORD; i++ )); do",
        '        case "${COMP_WORDS[i]}" in',
    ]
    if top_values:
        lines.append(f"            {'|'.join(top_values)}) (( i++ )) ;;")
    lines += [
        "            -*) ;;",
        '            *) cmd="${COMP_WORDS[i]}"; break ;;',
        "        esac",
        "    done",
        "    COMPREPLY=()",
        '    case "$cmd" in',
        '        "")',
        '            case "$prev" in',
    ]
    for o in top.options:
        if o.takes_value:
            action = ('_flashdeck_files "$cur"' if o.files else ":")
            lines.append(f"                {'|'.join(o.flags)}) {action}; return ;;")
    lines += [
        "            esac",
        f'            COMPREPLY=($(compgen -W "{top_words}" -- "$cur")) ;;',
    ]
    for c in commands:
        opts = " ".join(f for o in c.options for f in o.flags)
        lines.append(f"        {c.name})")
        values = [o for o in c.options if o.takes_value]
        if values:
            lines.append('            case "$prev" in')
            for o in values:
                if o.choices:
                    action = f'COMPREPLY=($(compgen -W "{" ".join(o.choices)}" -- "$cur"))'
                elif o.files:
                    action = '_flashdeck_files "$cur"'
                else:
                    action = ":"
                lines.append(f"                {'|'.join(o.flags)}) {action}; return ;;")
            lines.append("            esac")
        choices = " ".join(w for p in c.positionals for w in p.choices)
        files = any(p.files for p in c.positionals)
        lines.append('            if [[ "$cur" == -* ]]; then')
        lines.append(f'                COMPREPLY=($(compgen -W "{opts}" -- "$cur"))')
        if choices and files:  # `export anki FILE.apkg`: the file after the word
            lines.append(f'            elif [[ " {choices} " == *" $prev "* ]]; then')
            lines.append('                _flashdeck_files "$cur"')
        if choices:
            lines.append("            else")
            lines.append(f'                COMPREPLY=($(compgen -W "{choices}" -- "$cur"))')
        elif files:
            lines.append("            else")
            lines.append('                _flashdeck_files "$cur"')
        lines.append("            fi ;;")
    lines += [
        "    esac",
        "}",
        "complete -o filenames -F _flashdeck flashdeck",
        "",
    ]
    return "\n".join(lines)


def _zsh_quote(text: str) -> str:
    """Text for inside a single-quoted _arguments spec: brackets and colons escaped."""
    text = text.replace("[", "(").replace("]", ")").replace(":", "\\:")
    return text.replace("'", "'\\''")


def _zsh_option_specs(options: list[Option]) -> list[str]:
    specs = []
    for o in options:
        if not o.flags:
            continue
        help_text = _zsh_quote(o.help)
        if o.takes_value:
            if o.choices:
                value = f":value:({' '.join(o.choices)})"
            elif o.files:
                value = ":path:_files"
            else:
                value = ":value: "
        else:
            value = ""
        exclusive = f"({' '.join(o.flags)})" if len(o.flags) > 1 else ""
        for flag in o.flags:
            equals = "=" if o.takes_value and flag.startswith("--") else ""
            specs.append(f"'{exclusive}{flag}{equals}[{help_text}]{value}'")
    return specs


def zsh_script(top: Command, commands: list[Command]) -> str:
    lines = [
        "#compdef flashdeck",
        "# zsh completion for flashdeck: save as _flashdeck in a directory of $fpath",
        "_flashdeck() {",
        '    local curcontext="$curcontext" state line ret=1',
        "    local -a commands",
        "    commands=(",
    ]
    for c in commands:
        lines.append(f"        '{c.name}:{_zsh_quote(c.help)}'")
    lines += [
        "    )",
        "    _arguments -C \\",
    ]
    for spec in _zsh_option_specs(top.options):
        lines.append(f"        {spec} \\")
    lines += [
        "        '1:command:->command' \\",
        "        '*::argument:->argument' && ret=0",
        "    case $state in",
        "        command) _describe -t commands 'flashdeck command' commands && ret=0 ;;",
        "        argument)",
        "            case $line[1] in",
    ]
    for c in commands:
        specs = _zsh_option_specs(c.options)
        for i, p in enumerate(c.positionals, 1):
            name = _zsh_quote(p.name.lower())
            if p.choices:
                action = f"({' '.join(p.choices)})"
            elif p.files:
                action = "_files"
            else:
                action = " "
            specs.append(f"'*:{name}:{action}'" if p.many else f"'{i}:{name}:{action}'")
        lines.append(f"                {c.name}) _arguments {' '.join(specs)} && ret=0 ;;")
    lines += [
        "            esac ;;",
        "    esac",
        "    return ret",
        "}",
        'if [[ "${zsh_eval_context[-1]}" == loadautofunc ]]; then',
        '    _flashdeck "$@"',
        "else",
        "    compdef _flashdeck flashdeck",
        "fi",
        "",
    ]
    return "\n".join(lines)


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_flags(option: Option) -> str:
    parts = []
    for flag in option.flags:
        if flag.startswith("--"):
            parts.append(f"-l {flag[2:]}")
        elif len(flag) == 2:
            parts.append(f"-s {flag[1]}")
        else:
            parts.append(f"-o {flag[1:]}")
    return " ".join(parts)


def _fish_option(condition: str, option: Option) -> str:
    line = f"complete -c flashdeck -n {condition} {_fish_flags(option)}"
    if option.takes_value:
        line += " -r"
        if option.choices:
            line += f" -a {_fish_quote(' '.join(option.choices))}"
        elif option.files:
            line += " -F"
    if option.help:
        line += f" -d {_fish_quote(option.help)}"
    return line


def fish_script(top: Command, commands: list[Command]) -> str:
    names = " ".join(c.name for c in commands)
    none_yet = f"'not __fish_seen_subcommand_from {names}'"
    lines = [
        "# fish completion for flashdeck: save as ~/.config/fish/completions/flashdeck.fish",
        "complete -c flashdeck -f",
    ]
    for o in top.options:
        if o.flags:
            lines.append(_fish_option(none_yet, o))
    for c in commands:
        description = f" -d {_fish_quote(c.help)}" if c.help else ""
        lines.append(f"complete -c flashdeck -n {none_yet} -a {c.name}{description}")
    for c in commands:
        seen = f"'__fish_seen_subcommand_from {c.name}'"
        for o in c.options:
            if o.flags:
                lines.append(_fish_option(seen, o))
        choices = [w for p in c.positionals for w in p.choices]
        if choices:
            words = " ".join(choices)
            lines.append(f"complete -c flashdeck -n {seen} -a {_fish_quote(words)}")
            if any(p.files for p in c.positionals):  # `export anki FILE.apkg`
                after = _fish_quote(f"__fish_seen_subcommand_from {c.name}; and"
                                    f" __fish_seen_subcommand_from {words}")
                lines.append(f"complete -c flashdeck -n {after} -F")
        elif any(p.files for p in c.positionals):
            lines.append(f"complete -c flashdeck -n {seen} -F")
    lines.append("")
    return "\n".join(lines)


def script(shell: str) -> str:
    from flashdeck.cli import build_parser

    top, commands = describe(build_parser())
    return {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](top, commands)


def cmd_completion(args) -> int:
    import sys

    sys.stdout.write(script(args.shell))
    return 0
