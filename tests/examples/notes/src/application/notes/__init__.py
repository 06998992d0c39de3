"""The notes context's use cases and ports."""
