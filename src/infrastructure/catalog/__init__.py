"""The catalog context's adapters: ORM models, repository, query service, the ports it reads the
stock context through (its published view ``stock_item_costs``, by name), and its providers."""
