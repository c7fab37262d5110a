"""Models of the centers domain."""
