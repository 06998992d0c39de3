"""The catalog context's use cases, ports and read models."""
