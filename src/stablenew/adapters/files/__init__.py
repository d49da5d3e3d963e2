"""Reading user files (TOML/JSON) into domain values, with errors naming file and field."""

from stablenew.adapters.files.config_files import load_pipeline_config, read_data_file
from stablenew.adapters.files.plan_files import load_plan

__all__ = ["load_pipeline_config", "load_plan", "read_data_file"]
