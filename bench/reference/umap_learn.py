"""Runs umap-learn on an n x d float32 file and prints {seconds, trustworthiness} as JSON (bench/umap.ts calls it)."""
import json, sys, time
import numpy as np
import umap
from sklearn.manifold import trustworthiness

path, n, d, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.time()
y = umap.UMAP(n_epochs=epochs, random_state=None).fit_transform(x)
seconds = time.time() - start
sample = np.random.default_rng(42).choice(n, size=min(n, 2000), replace=False)
print(json.dumps({"seconds": seconds, "trustworthinessOnSample": float(trustworthiness(x[sample], y[sample], n_neighbors=10))}))
