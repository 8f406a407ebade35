"""Long work as rows in `jobs`: handlers registered by kind (registry), what they report through
(context), the state changes (service), the shared executor, and the local and celery runners."""
