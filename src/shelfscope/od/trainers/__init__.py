"""Trainer environments: which architecture families can train here, and installing the ones that need
an environment of their own (YOLO-NAS) as a job on the `ml` queue."""
