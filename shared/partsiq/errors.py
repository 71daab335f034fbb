"""Errors that decide what happens to a job.

A :class:`PermanentError` fails the job at once (no retry): running it again
cannot succeed. Anything else is retried by the queue's retry policy.
"""

from __future__ import annotations


class PartsIQError(Exception):
    """Base of every error the platform raises on purpose."""


class PermanentError(PartsIQError):
    """A job that can never succeed: fail it now, keep the reason."""


class PayloadInvalid(PermanentError):
    """The job's payload does not match its job type's schema."""


class UnknownOrganization(PermanentError):
    """The job names an organisation that does not exist."""


class UnknownJobType(PartsIQError):
    """No job type of that name is in the queue table."""


class ServiceUnreachable(PartsIQError):
    """Redis or PostgreSQL cannot be reached; the message says what to start."""


class PortInUse(PartsIQError):
    """METRICS_PORT is taken (another process on this host); the message says what to set."""


class CredentialsError(PartsIQError):
    """Credentials cannot be encrypted or decrypted (missing or wrong key, corrupt envelope)."""


#: Errors that no retry can fix; the worker fails the job on the first one.
NON_RETRYABLE: tuple[type[BaseException], ...] = (PermanentError,)
