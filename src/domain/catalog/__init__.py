"""The catalog context: what a shop sells (products in size variants, each made from a recipe of
stock items) and what each variant costs to make."""
