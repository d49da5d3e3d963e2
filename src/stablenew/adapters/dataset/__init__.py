"""The rated-image dataset, built by DuckDB over the JSONL record log and written by it or pyarrow."""

from stablenew.adapters.dataset.duckdb_builder import DuckDBDatasetBuilder

__all__ = ["DuckDBDatasetBuilder"]
