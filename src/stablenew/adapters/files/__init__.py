"""Reading user files (TOML/JSON, ratings CSV) into domain values, with errors naming file and field."""

from stablenew.adapters.files.config_files import load_pipeline_config, read_data_file
from stablenew.adapters.files.pillow_library import PillowImageLibrary
from stablenew.adapters.files.plan_files import load_plan
from stablenew.adapters.files.preflight import FilePreflight
from stablenew.adapters.files.ratings_csv import load_ratings_csv

__all__ = [
    "FilePreflight", "PillowImageLibrary", "load_pipeline_config", "load_plan", "load_ratings_csv",
    "read_data_file",
]
