//! A pause point for tests of concurrency: it holds a reader between two of its statements until the test lets it go,
//! so that a replacement can commit in exactly that window rather than by chance.
//!
//! Only debug builds (the ones tests run) have it; with `CROSSCASE_TEST_PAUSE_AFTER_LOAD_STEP=<folder>` the first pause
//! point reached writes `<folder>/paused` (naming the step) and waits until `<folder>/release` exists.

#[cfg(debug_assertions)]
pub(crate) fn point(step: &str) {
    use std::time::{Duration, Instant};
    let Some(folder) = std::env::var_os("CROSSCASE_TEST_PAUSE_AFTER_LOAD_STEP") else {
        return;
    };
    let folder = std::path::PathBuf::from(folder);
    let release = folder.join("release");
    if release.exists() {
        return;
    }
    // Written under another name first, so that the test never sees a half-written file.
    let announced = folder.join("paused.partial");
    if std::fs::write(&announced, step).is_err() || std::fs::rename(&announced, folder.join("paused")).is_err() {
        return;
    }
    // Bounded, so that a test that forgets to release does not hang forever.
    let started = Instant::now();
    while !release.exists() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(not(debug_assertions))]
#[inline(always)]
pub(crate) fn point(_step: &str) {}
