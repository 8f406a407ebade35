"""Detection classes shared by every dataset, with aliases and an audit trail."""
