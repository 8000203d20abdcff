"""The conversation core: domain, ports, brief understanding, ranking and the engine.

Pure Python and pydantic; it talks to the world only through ``ports``.
"""
