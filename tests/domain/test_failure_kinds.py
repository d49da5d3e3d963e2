"""FailureKind: one vocabulary for every backend; records written before it keep reading."""

from __future__ import annotations

import pytest

from stablenew.domain.run.failures import BackendError, FailureKind, http_status_kind, out_of_memory


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        ("oom", FailureKind.OUT_OF_MEMORY),
        ("http_500", FailureKind.SERVER_ERROR),
        ("http_503", FailureKind.SERVER_ERROR),
        ("http_401_unauthorized", FailureKind.UNAUTHORIZED),
        ("http_404", FailureKind.NOT_API),
        ("http_422", FailureKind.BAD_REQUEST),
        ("invalid_config", FailureKind.BAD_REQUEST),
        ("node_errors", FailureKind.BAD_REQUEST),
        ("malformed_response", FailureKind.BAD_RESPONSE),
        ("stale_output", FailureKind.NO_IMAGES),
        ("connection_refused", FailureKind.CONNECTION_REFUSED),
        ("cancelled", FailureKind.CANCELLED),
        ("io_error", FailureKind.IO_ERROR),
        ("something_from_the_future", FailureKind.UNKNOWN),
    ],
)
def test_tags_of_older_records_map_to_todays_kinds(written: str, kind: FailureKind) -> None:
    assert FailureKind.parse(written) is kind


def test_none_stays_none_and_every_kind_reads_back_as_itself() -> None:
    assert FailureKind.parse(None) is None
    assert all(FailureKind.parse(kind.value) is kind for kind in FailureKind)


def test_status_codes_and_memory_texts() -> None:
    assert [http_status_kind(s) for s in (401, 403, 404, 405, 400, 422, 500, 502)] == [
        FailureKind.UNAUTHORIZED, FailureKind.UNAUTHORIZED, FailureKind.NOT_API, FailureKind.NOT_API,
        FailureKind.BAD_REQUEST, FailureKind.BAD_REQUEST, FailureKind.SERVER_ERROR, FailureKind.SERVER_ERROR,
    ]
    assert out_of_memory("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB")
    assert out_of_memory("DefaultCPUAllocator: can't allocate memory: you tried to allocate 2748779 bytes")
    assert not out_of_memory("ValueError: steps must be positive")


def test_only_unreachable_kinds_count_for_a_circuit_breaker() -> None:
    assert {k for k in FailureKind if k.unreachable} == {
        FailureKind.CONNECTION_REFUSED, FailureKind.CONNECTION_ERROR, FailureKind.NOT_API}


def test_a_backend_error_holds_a_kind_not_a_free_string() -> None:
    assert BackendError("x").kind is FailureKind.UNKNOWN
    assert BackendError("x", kind="timeout").kind is FailureKind.TIMEOUT  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        BackendError("x", kind="made_up")  # type: ignore[arg-type]


def test_a_record_written_before_failure_kinds_reads_its_kind() -> None:
    from stablenew.domain.records.record import RECORD_SCHEMA, LearningRecord

    base = {"schema": RECORD_SCHEMA, "run_id": "r", "timestamp": "t", "config": {}}
    old = LearningRecord({**base, "success": False, "stage_events": [
        {"stage": "txt2img", "outcome": "success", "error_kind": None},
        {"stage": "img2img", "outcome": "failed", "error_kind": "oom"},
    ]})
    untagged = LearningRecord({**base, "success": False, "stage_events": [{"outcome": "failed"}]})
    fine = LearningRecord({**base, "success": True, "stage_events": [{"outcome": "success"}]})
    assert old.failure_kind is FailureKind.OUT_OF_MEMORY
    assert untagged.failure_kind is FailureKind.UNKNOWN and fine.failure_kind is None
