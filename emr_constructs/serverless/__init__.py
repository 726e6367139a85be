"""EMR Serverless applications and the jobs that run on them."""

from emr_constructs.serverless.application import EmrServerlessApplication
from emr_constructs.serverless.base import IEmrServerlessApplication, ImportedEmrServerlessApplication
from emr_constructs.serverless.job import EmrServerlessJob

__all__ = [
    "EmrServerlessApplication",
    "EmrServerlessJob",
    "IEmrServerlessApplication",
    "ImportedEmrServerlessApplication",
]
