"""Product-recognition embedding models: DINOv2/DINOv3 backbones fine-tuned with metric learning,
their training loop, FP16 checkpoints and the embedder that loads one (torch side, workers only)."""
