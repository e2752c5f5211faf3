//! What the fuzz targets run. `tests/fuzz_regressions.rs` in the main
//! package includes the same files, so a saved input replays exactly as the
//! fuzzer ran it.

pub mod harness;
pub mod manifest_gen;
