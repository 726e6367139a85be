"""EMR Studio."""

from emr_constructs.studio.studio import EmrStudio

__all__ = ["EmrStudio"]
