"""Product-recognition embedding training: runs, their frozen image lists and their checkpoints."""
