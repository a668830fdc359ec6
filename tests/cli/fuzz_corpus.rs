//! Every input in `fuzz/corpus/` (seeds, and whatever fuzzing found worth
//! keeping, crashes fixed included) replayed through its target's entry
//! point: what the fuzzers check, checked on stable Rust in CI.

#[test]
fn every_corpus_input_parses_without_panicking() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for (name, target) in citelock::fuzzing::TARGETS {
        let dir = root.join(name);
        let inputs = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for input in inputs {
            let path = input.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let caught = std::panic::catch_unwind(|| target(&bytes));
            assert!(caught.is_ok(), "{name}: {} panics", path.display());
            replayed += 1;
        }
    }
    assert!(replayed >= citelock::fuzzing::TARGETS.len(), "every target has a corpus ({replayed} inputs)");
}
