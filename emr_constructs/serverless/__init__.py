"""EMR Serverless applications."""

from emr_constructs.serverless.application import EmrServerlessApplication
from emr_constructs.serverless.base import IEmrServerlessApplication, ImportedEmrServerlessApplication

__all__ = ["EmrServerlessApplication", "IEmrServerlessApplication", "ImportedEmrServerlessApplication"]
