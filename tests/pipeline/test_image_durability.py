"""Images, and every folder made for them, are fsynced before the record that names them is appended
(issue 8 item 7): a crash right after the record cannot leave it pointing at a lost file."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fakes import FakeClock, FakeImageBackend

from stablenew.adapters.pipeline import PipelineRunner
from stablenew.adapters.pipeline.png_files import make_dirs_durably
from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.ports.record_sink import RecordSink
from stablenew.domain.records.record import LearningRecord

CONFIG = {"prompt": "a red fox", "txt2img": {"steps": 12, "seed": 5, "batch_size": 2},
          "img2img": {"denoising_strength": 0.4}}


class _Watch:
    """An fsync that notes the path of every file or folder it makes durable, then really syncs."""

    def __init__(self) -> None:
        self.synced: list[str] = []

    def __call__(self, fd: int) -> None:
        self.synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        os.fsync(fd)


class _SnapshotSink(RecordSink):
    """Remembers what had been fsynced when the record arrived."""

    def __init__(self, watch: _Watch) -> None:
        self.watch = watch
        self.synced_before: list[str] = []
        self.record: LearningRecord | None = None

    def append_record(self, record: LearningRecord) -> None:
        self.synced_before = list(self.watch.synced)
        self.record = record


def test_every_image_and_new_folder_is_fsynced_before_its_record(tmp_path: Path) -> None:
    watch = _Watch()
    runner = PipelineRunner(backend=FakeImageBackend(seed=3), clock=FakeClock(), output_dir=tmp_path / "out",
                            fsync=watch)
    sink = _SnapshotSink(watch)
    result = runner.run(parse_pipeline_config(CONFIG), record_sink=sink)
    assert result.success and sink.record is not None
    images = [Path(image.path).resolve() for image in result.images]
    assert len(images) >= 2
    synced = sink.synced_before
    for image in images:
        assert str(image.with_name(f".{image.name}.partial")) in synced  # the bytes, before the rename
        after_bytes = synced.index(str(image.with_name(f".{image.name}.partial")))
        assert str(image.parent) in synced[after_bytes:]  # then the folder holding the new name
    run_dir = images[0].parent
    for created in (tmp_path / "out", tmp_path / "out" / "runs", run_dir):
        assert str(created.parent.resolve()) in synced  # each new folder's entry in its parent


def test_making_folders_durably_syncs_only_the_parents_of_folders_it_created(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    watch = _Watch()
    make_dirs_durably(tmp_path / "a" / "b" / "c", watch)
    assert watch.synced == [str(tmp_path / "a"), str(tmp_path / "a" / "b")]
    watch.synced.clear()
    make_dirs_durably(tmp_path / "a" / "b" / "c", watch)
    assert watch.synced == []
