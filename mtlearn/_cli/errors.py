"""The error the command line reports in one line."""


class _InputError(Exception):
    """Bad command-line input found after parsing: reported in one line."""
