"""The checks, one module per family; each adds its ``Check``s to a ``Report``."""
