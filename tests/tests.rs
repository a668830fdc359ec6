//! Integration tests: the real binary, run in temporary repositories.

mod cli;
