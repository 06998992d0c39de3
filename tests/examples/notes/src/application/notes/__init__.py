"""The notes context's use cases, ports and read models."""
