"""Errors the lab shows to a person (UI message, CLI exit 2) rather than as a traceback."""


class LabError(Exception):
    """A problem with the user's input or environment, with a message that says what to do."""


class DatasetUnavailable(LabError):
    """No copy of a dataset could be found or downloaded."""


class ModelFileError(LabError):
    """A model file is missing, unreadable, unsafe or not a 28x28 classifier."""
