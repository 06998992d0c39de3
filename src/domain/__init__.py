"""The florist's business rules: entities, value objects and invariants. Pure Python."""
