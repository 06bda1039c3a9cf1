"""The one exception type adapters turn into a message instead of a traceback."""


class InputError(ValueError):
    """Bad input from a user (a question, a file, a session, a command). The message is a complete,
    one-line sentence meant for that user; adapters show it as it is and lose nothing."""
