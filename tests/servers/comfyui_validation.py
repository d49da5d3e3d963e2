"""How the fake ComfyUI judges a ``POST /prompt`` graph, cache keys and execution order.

Validation follows ComfyUI's rules and error shapes:

* a node without ``class_type`` or with an unknown class fails the whole prompt with an
  ``invalid_prompt`` error and empty ``node_errors``;
* a prompt without an output node (``SaveImage``) fails with ``prompt_no_outputs``;
* otherwise every output node is validated with its upstream nodes; errors are reported per node in
  ``node_errors[node_id] = {"errors": [...], "dependent_outputs": [...], "class_type": ...}`` with
  the error types ``required_input_missing``, ``bad_linked_input``, ``return_type_mismatch``,
  ``invalid_input_type``, ``value_smaller_than_min``, ``value_bigger_than_max``,
  ``value_not_in_list``, ``custom_validation_failed`` (LoadImage's file check) and
  ``exception_during_validation`` / ``exception_during_inner_validation`` (a link to a node that is
  not in the graph surfaces as the ``KeyError`` it raises inside ComfyUI);
* if no output survives, the prompt fails with ``prompt_outputs_failed_validation`` whose
  ``details`` joins ``"<message>: <details>"`` lines; if some survive, the prompt runs them and the
  200 answer still carries the ``node_errors`` of the others.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Graph = dict[str, dict[str, Any]]


def id_key(node_id: str) -> tuple[int, int, str]:
    """Sort node ids numerically where they are numbers ("3" < "10"), then by text."""
    return (0, int(node_id), "") if node_id.isdigit() else (1, 0, node_id)


def _error(
    type_: str, message: str, details: str, extra_info: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"type": type_, "message": message, "details": details, "extra_info": extra_info or {}}


@dataclass
class Validation:
    ok: bool
    error: dict[str, Any] | None
    outputs: list[str]
    node_errors: dict[str, Any]
    graph: Graph = field(default_factory=dict)  # the graph with scalar inputs converted (INT/FLOAT/...)


def _is_link(value: Any) -> bool:
    return isinstance(value, list)


class _Validator:
    def __init__(
        self, graph: Graph, object_info: dict[str, dict[str, Any]], image_exists: Callable[[str], bool]
    ) -> None:
        self.graph = graph
        self.info = object_info
        self.image_exists = image_exists
        self.done: dict[str, tuple[bool, list[dict[str, Any]]]] = {}
        self.active: set[str] = set()

    def is_output(self, node_id: str) -> bool:
        return bool(self.info[self.graph[node_id]["class_type"]]["output_node"])

    def node(self, node_id: str) -> tuple[bool, list[dict[str, Any]]]:
        if node_id in self.done:
            return self.done[node_id]
        if node_id in self.active:
            return False, [_error("dependency_cycle", "Dependency cycle detected", f"Node ID '#{node_id}'")]
        self.active.add(node_id)
        try:
            result = self._check(node_id)
        finally:
            self.active.discard(node_id)
        self.done[node_id] = result
        return result

    def _broken_link(self, node_id: str, name: str, config: Any, link: Any, exc: Exception) -> list[dict]:
        exc_type = type(exc).__name__
        if self.is_output(node_id):
            return [
                _error(
                    "exception_during_validation",
                    "Exception when validating node",
                    str(exc),
                    {"exception_type": exc_type, "traceback": []},
                )
            ]
        return [
            _error(
                "exception_during_inner_validation",
                "Exception when validating inner node",
                str(exc),
                {
                    "input_name": name,
                    "input_config": config,
                    "exception_message": str(exc),
                    "exception_type": exc_type,
                    "traceback": [],
                    "linked_node": link,
                },
            )
        ]

    def _check(self, node_id: str) -> tuple[bool, list[dict[str, Any]]]:
        node = self.graph[node_id]
        class_type = node["class_type"]
        inputs = node.setdefault("inputs", {})
        spec = self.info[class_type]["input"]
        errors: list[dict[str, Any]] = []
        valid = True
        for category in ("required", "optional"):
            for name, config in spec.get(category, {}).items():
                input_type = config[0]
                options = config[1] if len(config) > 1 else {}
                if input_type == "COMBO":  # the newer combo shape: the choices are under "options"
                    input_type = list(options.get("options", []))
                if name not in inputs:
                    if category == "required":
                        errors.append(
                            _error(
                                "required_input_missing",
                                "Required input is missing",
                                name,
                                {"input_name": name},
                            )
                        )
                    continue
                value = inputs[name]
                if _is_link(value):
                    if len(value) != 2:
                        errors.append(
                            _error(
                                "bad_linked_input",
                                "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                                name,
                                {"input_name": name, "input_config": config, "received_value": value},
                            )
                        )
                        continue
                    source, slot = value
                    if not isinstance(source, str) or source not in self.graph:
                        return False, self._broken_link(node_id, name, config, value, KeyError(source))
                    outputs = self.info[self.graph[source]["class_type"]]["output"]
                    if not isinstance(slot, int) or not -len(outputs) <= slot < len(outputs):
                        exc = IndexError("tuple index out of range")
                        return False, self._broken_link(node_id, name, config, value, exc)
                    received = outputs[slot]
                    if (
                        not isinstance(input_type, list)
                        and "*" not in (received, input_type)
                        and received != input_type
                    ):
                        errors.append(
                            _error(
                                "return_type_mismatch",
                                "Return type mismatch between linked nodes",
                                f"{name}, received_type({received}) mismatch input_type({input_type})",
                                {
                                    "input_name": name,
                                    "input_config": config,
                                    "received_type": received,
                                    "linked_node": value,
                                },
                            )
                        )
                        continue
                    if not self.node(source)[0]:
                        valid = False
                    continue
                error = self._check_value(class_type, inputs, name, input_type, options, config)
                if error is not None:
                    errors.append(error)
        return (valid and not errors), errors

    def _check_value(
        self, class_type: str, inputs: dict[str, Any], name: str, input_type: Any, options: dict, config: Any
    ) -> dict[str, Any] | None:
        value = inputs[name]
        if class_type == "LoadImage" and name == "image":
            # LoadImage validates with its own VALIDATE_INPUTS (the file must exist), not the combo list.
            if isinstance(value, str) and self.image_exists(value):
                return None
            return _error(
                "custom_validation_failed",
                "Custom validation failed for node",
                f"{name} - Invalid image file: {value}",
                {"input_name": name},
            )
        converters: dict[str, Callable[[Any], Any]] = {
            "INT": int,
            "FLOAT": float,
            "STRING": str,
            "BOOLEAN": bool,
        }
        if isinstance(input_type, str) and input_type in converters:
            try:
                if isinstance(value, dict) and "__value__" in value:
                    value = value["__value__"]
                value = converters[input_type](value)
            except (TypeError, ValueError, OverflowError) as exc:
                return _error(
                    "invalid_input_type",
                    f"Failed to convert an input value to a {input_type} value",
                    f"{name}, {value}, {exc}",
                    {
                        "input_name": name,
                        "input_config": config,
                        "received_value": value,
                        "exception_message": str(exc),
                    },
                )
            inputs[name] = value
        extra = {"input_name": name, "input_config": config, "received_value": value}
        if "min" in options and isinstance(value, int | float) and value < options["min"]:
            return _error(
                "value_smaller_than_min", f"Value {value} smaller than min of {options['min']}", name, extra
            )
        if "max" in options and isinstance(value, int | float) and value > options["max"]:
            return _error(
                "value_bigger_than_max", f"Value {value} bigger than max of {options['max']}", name, extra
            )
        if isinstance(input_type, list) and value not in input_type:
            if len(input_type) > 20:
                listed, extra["input_config"] = f"(list of length {len(input_type)})", None
            else:
                listed = str(input_type)
            return _error(
                "value_not_in_list", "Value not in list", f"{name}: '{value}' not in {listed}", extra
            )
        return None


def validate_prompt(
    graph: Any, object_info: dict[str, dict[str, Any]], *, image_exists: Callable[[str], bool]
) -> Validation:
    """Judge an API-format graph the way ComfyUI's ``validate_prompt`` does."""
    if not isinstance(graph, dict) or not graph:
        return Validation(
            False,
            _error("invalid_prompt", "Cannot execute because the prompt is not a graph of nodes.", "", {}),
            [],
            {},
        )
    graph = copy.deepcopy(graph)
    for node_id, node in graph.items():
        if not isinstance(node, dict) or "class_type" not in node:
            return Validation(
                False,
                _error(
                    "invalid_prompt",
                    "Cannot execute because a node is missing the class_type property.",
                    f"Node ID '#{node_id}'",
                ),
                [],
                {},
            )
        if node["class_type"] not in object_info:
            return Validation(
                False,
                _error(
                    "invalid_prompt",
                    f"Cannot execute because node {node['class_type']} does not exist.",
                    f"Node ID '#{node_id}'",
                ),
                [],
                {},
            )
        if not isinstance(node.get("inputs", {}), dict):
            return Validation(
                False,
                _error(
                    "invalid_prompt",
                    "Cannot execute because a node has malformed inputs.",
                    f"Node ID '#{node_id}'",
                ),
                [],
                {},
            )
    checker = _Validator(graph, object_info, image_exists)
    outputs = sorted((n for n in graph if checker.is_output(n)), key=id_key)
    if not outputs:
        return Validation(False, _error("prompt_no_outputs", "Prompt has no outputs", ""), [], {})

    good: list[str] = []
    failed: list[tuple[str, list[dict[str, Any]]]] = []
    node_errors: dict[str, Any] = {}
    for output in outputs:
        ok, reasons = checker.node(output)
        if ok:
            good.append(output)
            continue
        failed.append((output, reasons))
        for node_id, (node_ok, node_reasons) in checker.done.items():
            if node_ok or not node_reasons:
                continue
            entry = node_errors.setdefault(
                node_id,
                {
                    "errors": node_reasons,
                    "dependent_outputs": [],
                    "class_type": graph[node_id]["class_type"],
                },
            )
            if output not in entry["dependent_outputs"]:
                entry["dependent_outputs"].append(output)
    if not good:
        lines = [f"{e['message']}: {e['details']}" for _, reasons in failed for e in reasons]
        error = _error(
            "prompt_outputs_failed_validation", "Prompt outputs failed validation", "\n".join(lines)
        )
        return Validation(False, error, [], node_errors, graph)
    return Validation(True, None, good, node_errors, graph)


def _links(node: dict[str, Any]) -> Iterable[tuple[str, list[Any]]]:
    for name, value in node.get("inputs", {}).items():
        if _is_link(value) and len(value) == 2:
            yield name, value


def node_signatures(graph: Graph, extra: Callable[[str, dict[str, Any]], Any]) -> dict[str, str]:
    """A cache key per node: its class, its own values, the keys of what feeds it, and ``extra``."""
    keys: dict[str, str] = {}

    def key(node_id: str) -> str:
        if node_id not in keys:
            node = graph[node_id]
            values = {k: v for k, v in node.get("inputs", {}).items() if not _is_link(v)}
            links = {name: [key(src), slot] for name, (src, slot) in _links(node)}
            blob = json.dumps(
                [node["class_type"], values, links, extra(node_id, node)], sort_keys=True, default=str
            )
            keys[node_id] = hashlib.sha256(blob.encode()).hexdigest()
        return keys[node_id]

    for node_id in graph:
        key(node_id)
    return keys


def execution_order(graph: Graph, outputs: Iterable[str], cached: Callable[[str], bool]) -> list[str]:
    """Nodes to run for ``outputs``, dependencies first, skipping cached nodes and what only they need."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(node_id: str) -> None:
        if node_id in seen or cached(node_id):
            return
        seen.add(node_id)
        for _, (source, _slot) in _links(graph[node_id]):
            visit(source)
        order.append(node_id)

    for output in outputs:
        visit(output)
    return order
