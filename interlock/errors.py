"""User-facing errors. Every bad input becomes one `InputError` that names the file, the key and
what is allowed; the CLI turns it into a one-line message and exit code 2."""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input: a scenario, a config override, a deals file, a spec.

    Attributes name where the problem is so the message can say it in one line.
    """

    exit_code = 2

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 allowed: str | None = None):
        self.file = file
        self.key = key
        self.allowed = allowed
        self.detail = message
        parts = []
        if file:
            parts.append(str(file))
        if key:
            parts.append(f"key '{key}'")
        head = ": ".join(parts)
        text = f"{head}: {message}" if head else message
        if allowed:
            text += f" (allowed: {allowed})"
        super().__init__(text)
