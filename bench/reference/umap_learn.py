"""Runs umap-learn on an n x d float32 file, writes the n x 2 layout to <file>.layout and prints {seconds} as JSON (bench/umap.ts calls it)."""
import json, sys, time
import numpy as np
import umap

path, n, d, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.time()
y = umap.UMAP(n_epochs=epochs, random_state=None).fit_transform(x)
seconds = time.time() - start
y.astype(np.float32).tofile(path + ".layout")
print(json.dumps({"seconds": seconds}))
