"""Test doubles: for external services (the Slack Web API, Slack request signing) and
in-memory fakes of our own ports (``fakes.notifier``).

Modules import each other relatively, so the package works both as ``fakes`` (pytest's
default rootdir-relative import of ``tests/``) and as ``tests.fakes``.
"""

from . import signing
from .slack_api import (
    ARGS_NEWER_THAN_SPEC,
    METHODS_NOT_IN_SPEC,
    RESPONSE_URL_METHOD,
    SLACK_TIER_LIMITS_PER_MINUTE,
    UPLOAD_METHOD,
    FakeSlack,
    RecordedCall,
    UploadedFile,
    load_spec,
)

__all__ = [
    "ARGS_NEWER_THAN_SPEC",
    "METHODS_NOT_IN_SPEC",
    "RESPONSE_URL_METHOD",
    "SLACK_TIER_LIMITS_PER_MINUTE",
    "UPLOAD_METHOD",
    "FakeSlack",
    "RecordedCall",
    "UploadedFile",
    "load_spec",
    "signing",
]
