# Runs Rtsne (C++ Barnes-Hut) on an n x d float32 file with the settings of bench/tsne.ts, writes
# the n x 2 layout to <file>.layout and prints {"seconds", "version"} as JSON (bench/tsne.ts calls it).
# Usage: Rscript rtsne.R FILE N D ITERATIONS THREADS
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]
n <- as.integer(args[2])
d <- as.integer(args[3])
iterations <- as.integer(args[4])
threads <- as.integer(args[5])
suppressPackageStartupMessages(library(Rtsne))
con <- file(path, "rb")
x <- matrix(readBin(con, "numeric", n = n * d, size = 4), nrow = n, byrow = TRUE)
close(con)
set.seed(1)
start <- Sys.time()
# bhtsne's gradient has no factor 4, so eta = n / 12 is openTSNE's and scikit-learn's 'auto' rate.
fit <- Rtsne(x, dims = 2, perplexity = 30, theta = 0.5, max_iter = iterations, pca = FALSE, normalize = FALSE,
             check_duplicates = FALSE, eta = max(n / 12, 200), num_threads = threads)
seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
out <- file(paste0(path, ".layout"), "wb")
writeBin(as.numeric(t(fit$Y)), out, size = 4)
close(out)
cat(sprintf('{"seconds": %.3f, "version": "%s"}\n', seconds, as.character(packageVersion("Rtsne"))))
