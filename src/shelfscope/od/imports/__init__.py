"""Dataset imports: COCO, YOLO and Pascal VOC archives or server folders brought into a dataset."""
