"""Container Atlas: the knowledge base model, the site generator, and the set-up CLI."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root (src/atlas/__init__.py -> repo).
ROOT = Path(__file__).resolve().parents[2]
