"""Shelfscope: self-hosted retail shelf vision."""

__version__ = "0.1.0"
