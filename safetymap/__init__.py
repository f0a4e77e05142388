"""Hertfordshire safety map: where people feel unsafe in public, and whether help reaches them."""

__version__ = "0.1.0"
