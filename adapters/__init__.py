"""Adapters: implementations of the core's ports for real backends and embedded defaults."""
