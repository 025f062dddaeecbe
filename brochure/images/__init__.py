"""Photos: reading them safely, and making them print-ready (CMYK through the output profile, to size)."""
