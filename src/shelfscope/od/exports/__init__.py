"""Dataset exports: a dataset or one of its versions as a YOLO, COCO or Pascal VOC zip archive."""
