"""Content: content.yaml -> a typed, validated ``Content`` model."""
from brochure.content.loader import load
from brochure.content.settings import PAGE_SIZES
from brochure.content.model import Content, Text

__all__ = ["Content", "PAGE_SIZES", "Text", "load"]
