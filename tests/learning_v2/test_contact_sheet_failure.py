"""A contact sheet that cannot be drawn after a plan ran is a reported warning, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.fakes import FakeClock, FakePipelineRun, MemoryRecordSink
from typer.testing import CliRunner

from stablenew.cli import app
from stablenew.controller.learning_execution_controller import LearningExecutionController
from stablenew.domain.plan.grid_layout import ContactSheet, ContactSheetReport
from stablenew.domain.plan.learning_adapter import build_single_variable_plan
from stablenew.domain.ports.contact_sheet import ContactSheetWriter
from stablenew.domain.run.cancel import CancelToken

BASE = {"prompt": "a lighthouse", "txt2img": {"steps": 4, "width": 64, "height": 64}}


class _FullDisk(ContactSheetWriter):
    def write(
        self, sheets: tuple[ContactSheet, ...], out_dir: str, *, max_megapixels: float,
        cancel: CancelToken | None = None,
    ) -> ContactSheetReport:
        raise OSError(28, "No space left on device")


def test_a_writer_that_raises_oserror_is_a_failed_sheet_and_the_steps_stand() -> None:
    sink = MemoryRecordSink()
    controller = LearningExecutionController(
        pipeline_run=FakePipelineRun(), sink_factory=lambda _path: sink, source_factory=lambda _path: sink,
        records_path="records.jsonl", clock=FakeClock(), contact_sheet_writer=_FullDisk(), sheets_dir="out",
    )
    plan = build_single_variable_plan(BASE, stage="txt2img", variable="cfg_scale", values="4, 8", name="p")
    result = controller.run_learning_plan(plan)

    assert result.summary.succeeded == 2 and len(sink.records) == 2
    report = controller.last_grid_report
    assert report is not None and report.written == ()
    (failed,) = report.failed
    assert "not written" in failed and "No space left on device" in failed


def test_the_cli_prints_one_warning_line_and_keeps_exit_status_0() -> None:
    plan = Path("plan.toml")
    plan.write_text(
        '[plan]\nname = "sheet-fails"\nseed = 1\n[[axes]]\nstage = "txt2img"\nvariable = "cfg_scale"\n'
        'values = "4, 8"\n[base]\nprompt = "a fox"\n[base.txt2img]\nwidth = 64\nheight = 64\n',
        encoding="utf-8",
    )
    Path("out/learning").mkdir(parents=True)
    Path("out/learning/plans").write_text("a file where the sheets' folder should be", encoding="utf-8")

    result = CliRunner().invoke(app, ["learn", "run", str(plan), "--output", "out"])

    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: contact sheet")]
    assert len(warnings) == 1 and "not written" in warnings[0], result.stderr
    assert "Traceback" not in result.output and "contact sheet: " not in result.stdout
    assert len(Path("out/learning/learning_records.jsonl").read_text(encoding="utf-8").splitlines()) == 2
