"""The JSONL record log: a locked, fsynced appender and a streaming, indexed reader."""

from stablenew.adapters.records.jsonl_reader import JsonlRecordSource, read_records
from stablenew.adapters.records.jsonl_writer import LearningRecordWriter

__all__ = ["JsonlRecordSource", "LearningRecordWriter", "read_records"]
