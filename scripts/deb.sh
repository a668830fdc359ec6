#!/usr/bin/env bash
# The Debian package: the release binary, its man page and its shell completions (written by
# the binary itself), packed by cargo-deb (installed once into ~/.cargo/bin when missing),
# then checked: its file list, and, as root, installed with dpkg and run.
# Usage: bash scripts/deb.sh            (prints the .deb's path)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cargo-deb >/dev/null || cargo install -q cargo-deb --locked
cargo build --release --locked -q
bin=target/release/citelock
mkdir -p target/deb-assets
"$bin" man > target/deb-assets/citelock.1
"$bin" completions bash > target/deb-assets/citelock.bash
"$bin" completions zsh > target/deb-assets/_citelock
"$bin" completions fish > target/deb-assets/citelock.fish
deb=$(cargo deb --no-build --no-strip -q 2>/dev/null || cargo deb --no-build --no-strip)
deb=$(ls -t target/debian/citelock_*.deb | head -1)
dpkg-deb -c "$deb" | awk '{print $6}' | grep -E 'usr/(bin|share/(man|bash-completion|zsh|fish|doc))/.*citelock' >&2
if [ "$(id -u)" = 0 ]; then
  dpkg -i "$deb" >/dev/null
  /usr/bin/citelock --version >&2
  man -w citelock >&2
fi
echo "$deb"
