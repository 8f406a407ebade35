"""Detectors: one interface (`Detector.predict`), one adapter per model family."""
