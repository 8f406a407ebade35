"""Bulk import of a product catalogue (CSV or JSON) with a zip of images laid out <sku>/<domain>/<file>."""
