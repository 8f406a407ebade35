"""Product videos: uploads checked by content, frames taken by a job and stored as product images."""
