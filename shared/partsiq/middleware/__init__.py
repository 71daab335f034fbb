"""Dramatiq middleware of the platform, one concept per module."""

from partsiq.middleware.job_logging import JobLogging
from partsiq.middleware.job_tracking import JobTracking
from partsiq.middleware.metrics import Metrics
from partsiq.middleware.rate_limit import RateLimit

__all__ = ["JobLogging", "JobTracking", "Metrics", "RateLimit"]
