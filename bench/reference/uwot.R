# Runs uwot on an n x d float32 file with umap-learn's defaults (15 neighbours, min_dist 0.1) on
# 2 threads for the neighbour search and the SGD, writes the n x 2 layout to <file>.layout and
# prints {"seconds": …} as JSON (bench/umap.ts calls it).
suppressPackageStartupMessages(library(uwot))
args <- commandArgs(trailingOnly = TRUE)
path <- args[1]; n <- as.integer(args[2]); d <- as.integer(args[3]); epochs <- as.integer(args[4])
x <- matrix(readBin(path, what = "numeric", size = 4, n = n * d), nrow = n, ncol = d, byrow = TRUE)
start <- Sys.time()
y <- umap(x, n_neighbors = 15, min_dist = 0.1, n_epochs = epochs, n_threads = 2, n_sgd_threads = 2)
seconds <- as.numeric(difftime(Sys.time(), start, units = "secs"))
con <- file(paste0(path, ".layout"), "wb")
writeBin(as.numeric(t(y)), con, size = 4)
close(con)
cat(sprintf('{"seconds": %.3f}\n', seconds))
