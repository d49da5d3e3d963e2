"""The JSONL record log: a locked, fsynced appender and a tolerant reader."""

from stablenew.adapters.records.jsonl_reader import read_records
from stablenew.adapters.records.jsonl_writer import LearningRecordWriter

__all__ = ["LearningRecordWriter", "read_records"]
