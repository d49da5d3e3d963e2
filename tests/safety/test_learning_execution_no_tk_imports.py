"""Seed §5.4: importing the learning execution modules pulls in no Tk and no GUI package."""

from __future__ import annotations

import json
import subprocess
import sys

MODULES = (
    "stablenew.domain.services.learning_execution",
    "stablenew.controller.learning_execution_controller",
    "stablenew.domain.plan.learning_adapter",
    "stablenew.domain.plan.learning_results",
    "stablenew.domain.plan.rules",
    "stablenew.cli.learn_cmd",
    "stablenew.container",
)
PROBE = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def test_learning_execution_imports_no_tk_or_gui_module() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *MODULES], capture_output=True, text=True, timeout=120, check=True
    )
    loaded = json.loads(done.stdout)
    assert set(MODULES) <= set(loaded)
    bad = [
        name
        for name in loaded
        if name.split(".")[0] in {"tkinter", "_tkinter", "gui"} or ".gui" in name or "tkinter" in name
    ]
    assert bad == []
