"""System: health of the database, storage and job runner, library-wide counts, diagnostic jobs."""
