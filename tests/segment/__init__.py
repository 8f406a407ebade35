"""The SAM tool: mask encodings, the SAM 2.1 segmenter and POST /od/ai/segment."""
