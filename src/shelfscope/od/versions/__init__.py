"""Dataset versions: immutable snapshots with a frozen class mapping and a train/val/test split."""
