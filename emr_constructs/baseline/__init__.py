"""Account- and Region-wide EMR settings: block public access."""

from emr_constructs.baseline.block_public_access import EmrBlockPublicAccess, PortRange

__all__ = ["EmrBlockPublicAccess", "PortRange"]
