"""The SAM tool: clicks and a box on an image become a mask, its outline polygon and its box."""
