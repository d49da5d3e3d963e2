"""What every HTTP image backend shares: one retry/deadline/cancel policy and one error vocabulary."""

from stablenew.adapters.backends.http.budget import Budget
from stablenew.adapters.backends.http.faults import ServerFaults
from stablenew.adapters.backends.http.policy import HttpPolicy, RetryPolicy

__all__ = ["Budget", "HttpPolicy", "RetryPolicy", "ServerFaults"]
