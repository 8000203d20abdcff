"""litellm, imported once and lazily (it takes seconds), and the provider settings."""

from __future__ import annotations

import os
import threading
from typing import Any

from stylegenie.config.settings import LLMSettings

_import_lock = threading.Lock()
_litellm: Any = None


def load_litellm() -> Any:
    """Import litellm once, without its network fetch of the price map at import."""
    global _litellm
    with _import_lock:
        if _litellm is None:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
            import litellm

            litellm.suppress_debug_info = True  # no "Give Feedback" banner on stdout per error
            _litellm = litellm
    return _litellm


def provider_arguments(settings: LLMSettings) -> dict[str, Any]:
    """The api_base, api_key and timeout every litellm call of StyleGenie passes."""
    return {
        "api_base": settings.api_base,
        "api_key": settings.api_key.get_secret_value() if settings.api_key else None,
        "timeout": settings.timeout_s,
    }
