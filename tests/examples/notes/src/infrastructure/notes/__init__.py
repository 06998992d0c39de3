"""The notes context's adapters: its ORM model, repository, query service and dishka providers."""
