// Stands in for wasmKernels.generated.ts, which esbuild.mjs writes (git-ignored), so that a fresh
// clone type-checks before its first build; once that file exists the compiler reads it instead.
export declare const KERNELS_WASM_BASE64: string;
