"""The stock context's adapters: ORM models, repositories, query services, its dishka provider."""
