"""The platform-free conversation engine and its state."""
