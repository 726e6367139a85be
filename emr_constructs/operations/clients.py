"""boto3 clients for the operations commands, and one place that turns AWS failures into clear messages."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

MAX_RETRIES = 8
"""Retries per call after the first attempt (botocore's ``max_attempts`` retry setting counts retries, so a call
makes up to 9 requests); botocore's standard mode retries throttling and transient errors with backoff."""

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
    }
)
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
REJECTED_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException"})
NO_CREDENTIALS = "no AWS credentials: configure a profile or environment credentials"

ClientFactory = Callable[[str, str | None], Any]
"""``(service, region) -> boto3 client``. Tests replace :data:`client_factory` to attach moto or a Stubber."""


class OperationError(Exception):
    """A failure with a message fit for the user as it stands (unknown stack, unknown cluster, ...)."""


def make_client(service: str, region: str | None, *, max_retries: int = MAX_RETRIES) -> Any:
    """A client from a fresh session (credentials and region resolved now), in botocore's standard retry mode."""
    import boto3  # here, not at the top: the offline subcommands never pay for importing it
    from botocore.config import Config

    config = Config(retries={"mode": "standard", "max_attempts": max_retries})
    return boto3.session.Session().client(service, region_name=region, config=config)  # type: ignore[call-overload]


client_factory: ClientFactory = make_client
"""The factory the commands use; looked up at call time, so replacing it here takes effect everywhere."""


def new_client(service: str, region: str | None) -> Any:
    return client_factory(service, region)


def region_of(client: Any) -> str:
    return str(client.meta.region_name)


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")) or str(error)


def describe_client_error(error: ClientError) -> str:
    """One line for a ``ClientError``: throttling, expired or rejected credentials, else ``Op failed: Code: msg``."""
    code, message = error_code(error), error_message(error)
    operation = error.operation_name
    if code in THROTTLING_CODES:
        attempts = int(error.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)) + 1
        return (
            f"AWS kept throttling {operation} ({code}: {message}) after {attempts} attempt"
            f"{'s' if attempts != 1 else ''}; wait a minute and run the command again"
        )
    if code in EXPIRED_CODES:
        return f"AWS credentials have expired ({code}: {message}): refresh them and run the command again"
    if code in REJECTED_CODES:
        return f"AWS rejected the credentials ({code}: {message}): check the profile or environment credentials"
    return f"{operation} failed: {code}: {message}"


def describe_failure(error: BaseException) -> str | None:
    """The message for an AWS-side or local-configuration failure; ``None`` if ``error`` is none of those."""
    if isinstance(error, OperationError):
        return str(error)
    if isinstance(error, NoCredentialsError):
        return NO_CREDENTIALS
    if isinstance(error, PartialCredentialsError | CredentialRetrievalError):
        return f"AWS credentials could not be loaded: {error}"
    if isinstance(error, NoRegionError):
        return "no AWS region: pass --region, set AWS_DEFAULT_REGION, or give the profile a region"
    if isinstance(error, ClientError):
        return describe_client_error(error)
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError):
        endpoint = getattr(error, "kwargs", {}).get("endpoint_url", "the AWS endpoint")
        return f"cannot reach {endpoint}: check --region and the network connection ({error})"
    if isinstance(error, BotoCoreError):
        return f"AWS call failed: {error}"
    return None


def run_operation(operation: Callable[[], int]) -> int:
    """Run ``operation``; print a clear ``error:`` line instead of a traceback for AWS failures (exit 1)."""
    try:
        return operation()
    except (OperationError, BotoCoreError, ClientError) as error:
        message = describe_failure(error)
        print(f"error: {message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
