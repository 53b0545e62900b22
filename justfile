# crosscase tasks. Each recipe is a thin, commented wrapper: the logic lives in Rust code.

# Recipes run in bash (the fuzz recipe times itself with bash's `time`).
set shell := ["bash", "-c"]

# The whole pipeline on the bundled demo project, written to out/.
demo:
    cargo run --release -- demo

# Every test in the workspace.
test:
    cargo test --workspace

# Benchmarks; they print their figures: ingest (codings per second into a durable WAL database, beside SQLite's own
# copy of the same rows), the national comparison (time, peak memory, cores busy, beside the Python anchor, and where
# the time goes), the .qdpx import, time and peak memory at 1×, 2× and 4× the national size, and the workshop server's
# p50/p95/p99 latency and throughput with 200 participants on loopback.
bench:
    cargo bench --bench ingest
    cargo bench --bench national
    cargo bench --bench qdpx
    cargo bench --bench scaling
    cargo bench --bench workshop

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# The Jupyter notebooks, run headless against a fresh demo output (Python packages go into notebooks/.venv).
notebooks:
    python3 -m venv notebooks/.venv
    notebooks/.venv/bin/pip install -q -r notebooks/requirements.txt
    cargo run --release -- demo --out out
    cargo run --release -- export --db out/crosscase.sqlite --out out/export --format parquet
    notebooks/.venv/bin/python notebooks/run.py out

# Regenerate the committed demo project from its generator (a test checks they agree).
demo-data:
    cargo run --release -- synth --demo --out data/demo

# Fuzz the native project reader, the REFI-QDA reader and the QualCoder reader for ten minutes each (cargo-fuzz on
# the stable toolchain needs RUSTC_BOOTSTRAP=1).
fuzz:
    cargo install cargo-fuzz --locked
    cd fuzz && time RUSTC_BOOTSTRAP=1 cargo fuzz run native_project corpus/native_project -- -max_total_time=600
    cd fuzz && time RUSTC_BOOTSTRAP=1 cargo fuzz run refi_project corpus/refi_project -- -max_total_time=600
    cd fuzz && time RUSTC_BOOTSTRAP=1 cargo fuzz run qualcoder_project corpus/qualcoder_project -- -max_total_time=600

# What CI runs on a fresh clone.
ci:
    bash .ci/run
