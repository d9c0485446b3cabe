"""The one error type of the command line."""


class CommandError(Exception):
    """A bad argument or state that the command reports in one line and exit code 2."""
