"""Documents written whole: the HTML report (Jinja2), JSON exports and TOML presets."""

from stablenew.adapters.documents.file_documents import FileDocumentWriter

__all__ = ["FileDocumentWriter"]
