"""Settings for every backend (``Settings``) and their loader."""

from .settings import Settings, SettingsError, load_settings

__all__ = ["Settings", "SettingsError", "load_settings"]
