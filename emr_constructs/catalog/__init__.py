"""The Glue Data Catalog as EMR's metastore."""

from emr_constructs.catalog.glue_catalog import READ_ACTIONS, WRITE_ACTIONS, GlueCatalog

__all__ = ["READ_ACTIONS", "WRITE_ACTIONS", "GlueCatalog"]
