"""The one exception type adapters turn into a message instead of a traceback."""


class InputError(ValueError):
    """Bad input from a user (a question, a file, a session, a command). The message is a complete,
    one-line sentence meant for that user; adapters show it as it is and lose nothing."""


def yaml_problem(exc: Exception, first_line: int = 1) -> tuple[str, str]:
    """(": line N" or "", what is wrong) for a YAML parse error: f"{file}{where}: invalid YAML: {problem}".

    `first_line` is the file line the parsed text started on (front matter starts on line 2).
    """
    mark = getattr(exc, "problem_mark", None)
    where = f": line {mark.line + first_line}" if mark else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return where, problem


class IndexBusy(RuntimeError):
    """Another process (the running bot, an `index add`) holds the search index's write lock."""


class IndexDamaged(RuntimeError):
    """The search index cannot be opened or read; the knowledge base rebuilds it from SQLite."""


class UnknownCountry(InputError):
    """A --country value the gazetteer does not know; `choices` are the codes it knows."""

    def __init__(self, value: str, choices: tuple[str, ...]):
        super().__init__(f"unknown country {value!r}: give a code or a name of {', '.join(choices)}")
        self.value = value
        self.choices = choices
