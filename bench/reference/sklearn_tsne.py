"""Runs scikit-learn's Barnes-Hut t-SNE on an n x d float32 file with the settings of bench/tsne.ts,
writes the n x 2 layout to <file>.layout and prints {"seconds", "version"} as JSON (bench/tsne.ts calls it)."""
import json, sys, time
import numpy as np
import sklearn
from sklearn.manifold import TSNE

path, n, d, iterations = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
x = np.fromfile(path, dtype=np.float32).reshape(n, d)
start = time.perf_counter()
y = TSNE(n_components=2, perplexity=30, init="pca", learning_rate="auto", method="barnes_hut", angle=0.5,
         n_iter=iterations, random_state=1).fit_transform(x)
seconds = time.perf_counter() - start
y.astype(np.float32).tofile(path + ".layout")
print(json.dumps({"seconds": seconds, "version": sklearn.__version__}))
