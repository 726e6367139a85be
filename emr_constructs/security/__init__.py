"""Security configurations, Kerberos wiring and the PEM certificate tool (``emr_constructs.security.certs``).

Names are re-exported lazily so that the CLI's ``certs`` module loads without starting jsii.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "EmrSecurityConfiguration": "emr_constructs.security.security_configuration",
    "KerberosWiring": "emr_constructs.security.kerberos",
    "kerberos_attributes": "emr_constructs.security.kerberos",
}

__all__ = ["EmrSecurityConfiguration", "KerberosWiring", "kerberos_attributes"]

if TYPE_CHECKING:
    from emr_constructs.security.kerberos import KerberosWiring, kerberos_attributes
    from emr_constructs.security.security_configuration import EmrSecurityConfiguration


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'emr_constructs.security' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
