"""Domain errors: a stable code for programs, a Chinese message for people."""


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class PermissionDenied(DomainError):
    code = "permission_denied"


class InvalidState(DomainError):
    code = "invalid_state"
