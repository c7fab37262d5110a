"""Models of the selection domain."""
