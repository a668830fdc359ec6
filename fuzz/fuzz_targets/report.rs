#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| citelock::fuzzing::report(data));
