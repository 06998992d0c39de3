"""The delivery context's adapters: tables, repository, slot counters, query services, provider."""
