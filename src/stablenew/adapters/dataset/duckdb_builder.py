"""DuckDBDatasetBuilder: one streaming DuckDB scan of the record log per file, joined to the feedback."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from stablenew.adapters.dataset.duckdb_sql import dataset_sql, literal, pairs_sql
from stablenew.domain.errors import InputError, StableNewError
from stablenew.domain.feedback.dataset import DatasetReport, DatasetRequest
from stablenew.domain.feedback.ratings import FeedbackState
from stablenew.domain.ports.dataset_builder import DatasetBuilder

_COPY_OPTIONS = {
    "parquet": "FORMAT parquet",
    "jsonl": "FORMAT json",
    "csv": "FORMAT csv, HEADER true",
}


class DuckDBDatasetBuilder(DatasetBuilder):
    """Reads the JSONL log with DuckDB's own scanner (native, parallel, in bounded memory): the
    explicit column list makes it skip what the dataset does not need. Lines that are not JSON, or
    not a record, are left out, as every reader leaves them out; `records check` reports them."""

    def __init__(self, records_path: Path | str, *, memory_limit: str = "512MB") -> None:
        self.records_path = Path(records_path)
        self.memory_limit = memory_limit

    def build(self, request: DatasetRequest, feedback: FeedbackState) -> DatasetReport:
        """Write the image rows (and the pairs) to temporary files, then move them into place."""
        if not self.records_path.is_file():
            raise InputError("file not found", source=str(self.records_path))
        outs = [Path(request.out), *([Path(request.pairs_out)] if request.pairs_out else [])]
        for out in outs:
            if out.is_dir():
                raise InputError("is a directory; expected a file to write", source=str(out))
        log = str(self.records_path)
        csv = request.format == "csv"
        jobs = [(Path(request.out), dataset_sql(log, request.plan_id, request.since, csv=csv))]
        if request.pairs_out:
            jobs.append((Path(request.pairs_out), pairs_sql(log, request.plan_id, request.since)))
        written: list[tuple[Path, Path]] = []
        counts: list[int] = []
        # DuckDB and pyarrow load when a dataset is built, not each time any command starts
        import duckdb

        from stablenew.adapters.dataset.feedback_tables import preferences_table, ratings_table

        try:
            with duckdb.connect(config={"memory_limit": self.memory_limit,
                                        "preserve_insertion_order": False}) as con:
                con.register("ratings", ratings_table(feedback))
                con.register("preferences", preferences_table(feedback))
                for out, sql in jobs:
                    out.parent.mkdir(parents=True, exist_ok=True)
                    temporary = out.with_name(f".{out.name}.{uuid.uuid4().hex}.tmp")
                    written.append((temporary, out))
                    row = con.execute(f"COPY ({sql}) TO {literal(str(temporary))} "
                                      f"({_COPY_OPTIONS[request.format]})").fetchone()
                    counts.append(int(row[0]) if row else 0)
        except (duckdb.Error, OSError) as exc:
            for temporary, _ in written:
                temporary.unlink(missing_ok=True)
            raise StableNewError(f"dataset build failed: {exc}") from None
        for temporary, out in written:
            os.replace(temporary, out)
        return DatasetReport(rows=counts[0], pairs=counts[1] if len(counts) > 1 else None)
