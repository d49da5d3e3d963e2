"""StableNew: staged Stable Diffusion pipelines that learn from every run."""

__version__ = "0.1.0"
