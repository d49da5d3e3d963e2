"""The JSONL feedback log: the record writer's durability, a torn tail tolerated, corruption reported."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from tests.feedback.feedback_helpers import prefer, rate, retract
from tests.learning.records_helpers import record
from typer.testing import CliRunner

from stablenew.adapters.records import JsonlFeedbackLog, read_events
from stablenew.adapters.records.feedback_log import encode_event, looks_like_feedback
from stablenew.adapters.records.jsonl_writer import encode_record
from stablenew.adapters.records.tail_repair import ForeignLogError
from stablenew.cli import app


def test_events_round_trip_in_order(tmp_path: Path) -> None:
    log = JsonlFeedbackLog(tmp_path / "deep" / "feedback.jsonl")
    first = rate("a.png", 3, tags=["x"], note="ünïcode")
    events = [first, prefer("a.png", "b.png", "tie"), retract(first)]
    log.append_events(events[:1])
    log.append_events(events[1:])
    log.append_events([])
    report = log.read_events()
    assert report.events == tuple(events) and report.clean and report.torn_tail is None
    assert looks_like_feedback(log.path) and not looks_like_feedback(tmp_path / "none.jsonl")


def test_a_torn_tail_is_skipped_then_cut_by_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    whole = encode_event(rate("a.png", 3))
    path.write_bytes(whole + encode_event(rate("b.png", 4))[:30])
    report = read_events(path)
    assert len(report.events) == 1 and report.torn_tail is not None and report.clean
    log = JsonlFeedbackLog(path)
    log.append_events([rate("c.png", 5)])
    assert [e.image for e in log.read_events().events] == ["a.png", "c.png"]  # type: ignore[union-attr]
    assert path.read_bytes().startswith(whole) and path.read_bytes().count(b"\n") == 2


def test_a_whole_last_event_without_its_newline_was_never_acknowledged_and_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_bytes(encode_event(rate("a.png", 3)).rstrip(b"\n"))
    assert read_events(path).events == ()  # the reader never counted it: the append must not either
    JsonlFeedbackLog(path).append_events([rate("b.png", 2)])
    assert len(read_events(path).events) == 1 and b"a.png" not in path.read_bytes()


def test_a_foreign_unterminated_last_line_is_never_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_bytes(b"name,stars\nsomething")
    try:
        JsonlFeedbackLog(path).append_events([rate("a.png", 3)])
    except ForeignLogError:
        pass
    else:  # pragma: no cover - the assertion below says why
        raise AssertionError("appended to a file that is not a feedback log")
    assert path.read_bytes() == b"name,stars\nsomething"


def test_corruption_in_the_middle_is_reported_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    bad_kind = json.dumps({**rate("x.png", 3).to_dict(), "kind": "vote"}).encode() + b"\n"
    path.write_bytes(encode_event(rate("a.png", 3)) + b"garbage\n" + bad_kind + encode_event(rate("b.png", 1))
                     + b"{}\n")
    report = read_events(path)
    assert [e.image for e in report.events] == ["a.png", "b.png"]  # type: ignore[union-attr]
    assert [d.line_number for d in report.corrupt] == [2, 3] and not report.clean
    assert report.torn_tail is not None and report.torn_tail.line_number == 5


def test_threads_share_one_log_without_losing_or_mixing_lines(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"

    def write(n: int) -> None:
        log = JsonlFeedbackLog(path)
        for i in range(25):
            log.append_events([rate(f"{n}-{i}.png", 1 + i % 5), rate(f"{n}-{i}b.png", 2)])

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    report = read_events(path)
    assert len(report.events) == 200 and report.clean and report.torn_tail is None


def test_records_check_reports_either_file(tmp_path: Path) -> None:
    runner = CliRunner()
    Path("r.jsonl").write_bytes(encode_record(record("a")))
    good, other = encode_event(rate("a.png", 3)), encode_event(rate("b", 2))
    Path("feedback.jsonl").write_bytes(good + b"junk\n" + other)
    direct = runner.invoke(app, ["records", "check", "feedback.jsonl"])
    assert direct.exit_code == 1 and "feedback.jsonl: 2 good feedback events" in direct.stdout
    assert "corrupt line 2: not a valid feedback event" in direct.stdout
    both = runner.invoke(app, ["records", "check", "--records", "r.jsonl"])
    assert both.exit_code == 1 and "r.jsonl: 1 good records" in both.stdout
    assert "feedback.jsonl: 2 good feedback events" in both.stdout
    Path("feedback.jsonl").write_bytes(encode_event(rate("a.png", 3)) + b'{"sch')
    torn = runner.invoke(app, ["records", "check", "--records", "r.jsonl"])
    assert torn.exit_code == 0 and "torn last line 2" in torn.stdout
    only_records = runner.invoke(app, ["records", "check", "r.jsonl"])
    assert only_records.exit_code == 0 and "feedback" not in only_records.stdout


def test_the_feedback_log_sits_beside_the_record_log_unless_configured() -> None:
    from stablenew.settings import load_app_config

    assert load_app_config(None).feedback_path == Path("output/learning/feedback.jsonl")
    Path("a.toml").write_text('[learning]\nrecords_path = "logs/r.jsonl"\n', encoding="utf-8")
    assert load_app_config(Path("a.toml")).feedback_path == Path("logs/feedback.jsonl")
    Path("b.toml").write_text('[learning]\nfeedback_path = "f/ratings.jsonl"\n', encoding="utf-8")
    assert load_app_config(Path("b.toml")).feedback_path == Path("f/ratings.jsonl")
