"""Pure readers and writers of dataset formats (COCO, YOLO, Pascal VOC), safe archives and
image transforms: paths and bytes in, value objects out. Nothing here touches the database."""
