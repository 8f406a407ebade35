"""Job handlers of pr/matching."""
