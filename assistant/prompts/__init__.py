"""Prompt templates shipped as data files (installed with the package)."""

from importlib import resources


def load_prompt(name: str) -> str:
    """The text of prompts/<name>.txt."""
    return resources.files(__name__).joinpath(f"{name}.txt").read_text("utf-8")
