"""The catalog context's own refusals (their HTTP status follows from the shared kind they extend)."""

from __future__ import annotations

from collections.abc import Sequence

from application.shared.errors import Conflict, RuleRefused


class SkuTaken(Conflict):
    code = "SKU_TAKEN"

    def __init__(self, sku: str | None = None) -> None:
        which = f"SKU {sku}" if sku else "A SKU of this product"
        super().__init__(f"{which} is already used by another product of this shop.")
        self.sku = sku


class ProductRefused(RuleRefused):
    """422: the product is well-formed but stored state refuses parts of it (a stock item that is
    not this shop's, a price in another currency than the shop's, a variant id the product does not
    have). ``problems`` lists each as (field path, message); ``field`` is the first's."""

    code = "UNPROCESSABLE_CONTENT"

    def __init__(self, problems: Sequence[tuple[str, str]]) -> None:
        if not problems:
            raise ValueError("ProductRefused needs at least one problem")
        super().__init__("; ".join(f"{field}: {message}" for field, message in problems))
        self.problems = tuple(problems)
        self.field = problems[0][0]
