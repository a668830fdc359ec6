#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| citelock::fuzzing::small_values(data));
