"""The JSONL record and feedback logs: a locked, fsynced appender, a streaming, indexed record reader
and a tolerant feedback reader."""

from stablenew.adapters.records.feedback_log import JsonlFeedbackLog, read_events
from stablenew.adapters.records.jsonl_reader import JsonlRecordSource, read_records
from stablenew.adapters.records.jsonl_writer import LearningRecordWriter
from stablenew.adapters.records.plan_lock import FilePlanLocks

__all__ = [
    "FilePlanLocks", "JsonlFeedbackLog", "JsonlRecordSource", "LearningRecordWriter", "read_events",
    "read_records",
]
