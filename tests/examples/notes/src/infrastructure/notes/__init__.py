"""The notes context's adapters: its ORM model, repository and dishka provider."""
