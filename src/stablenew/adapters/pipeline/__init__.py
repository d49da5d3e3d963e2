"""The pipeline runner (the PipelineRun port) and the PNG files it writes."""

from stablenew.adapters.pipeline.runner import PipelineRunner

__all__ = ["PipelineRunner"]
