"""Model weights on the server side: which catalogue models are installed, fetching one from the hub as a
job, importing a save_pretrained folder, deleting one. Torch-free: it reads shelfscope.ml.catalogue and
shelfscope.ml.weights only."""
