"""Spec values that code may take from CDK tokens (a CloudFormation parameter, an SSM parameter, another construct).

aws-cdk's own validators skip a value that is an unresolved token (``Token.isUnresolved``) and check it at deploy
time instead; so do these fields. A token is only possible in code: a config file read by ``load_config`` stays
strict (its validation context sets ``STRICT``), so ``${Token[...]}`` written into YAML fails the field's pattern.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import ValidationInfo, ValidatorFunctionWrapHandler, WrapValidator

#: Validation-context key: when true, tokens are checked like any other text (config files).
STRICT = "strict_tokens"
#: How aws-cdk encodes a string token (``TokenString``: ``${Token[<name>.<number>]}``).
_STRING_TOKEN_MARKER = "${Token["


def is_unresolved_token(value: object) -> bool:
    """``value`` is, or contains, an unresolved CDK token (aws-cdk's ``Token.is_unresolved`` decides)."""
    if not isinstance(value, str) or _STRING_TOKEN_MARKER not in value:
        return False
    # The spec never loads CDK (it is pure data); a token can only exist when the caller has loaded it already.
    cdk = sys.modules.get("aws_cdk")
    return cdk is not None and bool(cdk.Token.is_unresolved(value))


def _skip_tokens(value: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo) -> Any:
    strict = bool(info.context and info.context.get(STRICT))
    if not strict and is_unresolved_token(value):
        return value
    return handler(value)


#: Annotate a pattern-checked string with it to accept unresolved tokens in code:
#: ``Annotated[str, Field(pattern=...), TOKENS_ALLOWED]``.
TOKENS_ALLOWED = WrapValidator(_skip_tokens)
