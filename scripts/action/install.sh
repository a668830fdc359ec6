#!/usr/bin/env bash
# The GitHub Action's install step: a prebuilt binary from the action's
# releases when one exists for the runner (checked against its .sha256),
# else `cargo install --locked` of the action's own source, so the version
# is the action's. Puts citelock on the job's PATH.
# Environment: CITELOCK_VERSION (latest, a version, `source` to build, or
# `installed` to keep one already on PATH), RUNNER_OS, RUNNER_ARCH,
# GITHUB_ACTION_REPOSITORY, GITHUB_ACTION_PATH, GITHUB_PATH;
# CITELOCK_RELEASE_BASE replaces https://github.com/OWNER/REPO/releases.
set -euo pipefail
version=${CITELOCK_VERSION:-latest}
if [ "$version" = installed ] && command -v citelock >/dev/null; then
  citelock --version
  exit 0
fi
root=${CITELOCK_INSTALL_ROOT:-${RUNNER_TOOL_CACHE:-$HOME/.cache}/citelock}
mkdir -p "$root/bin"
case "${RUNNER_OS:-Linux}-${RUNNER_ARCH:-X64}" in
  Linux-X64) target=x86_64-unknown-linux-gnu ;;
  Linux-ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS-X64) target=x86_64-apple-darwin ;;
  macOS-ARM64) target=aarch64-apple-darwin ;;
  *) target= ;;
esac
base=${CITELOCK_RELEASE_BASE:-https://github.com/${GITHUB_ACTION_REPOSITORY:-citelock/citelock}/releases}
if [ "$version" = latest ]; then
  url=$base/latest/download/citelock-$target.tar.gz
else
  url=$base/download/v${version#v}/citelock-$target.tar.gz
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "$target" ] && [ "$version" != source ] &&
  curl -fsSL --retry 2 -o "$tmp/citelock.tar.gz" "$url" &&
  curl -fsSL --retry 2 -o "$tmp/citelock.tar.gz.sha256" "$url.sha256"; then
  (cd "$tmp" && echo "$(cut -d' ' -f1 citelock.tar.gz.sha256)  citelock.tar.gz" | sha256sum -c --quiet -)
  tar -xzf "$tmp/citelock.tar.gz" -C "$root/bin" citelock
  chmod +x "$root/bin/citelock"
  echo "citelock: installed the release binary for $target from $url"
else
  echo "citelock: no release binary for ${target:-this runner} ($version); building with cargo install --locked"
  cargo install --locked --quiet --root "$root" --path "${GITHUB_ACTION_PATH:-.}"
fi
[ -z "${GITHUB_PATH:-}" ] || echo "$root/bin" >>"$GITHUB_PATH"
"$root/bin/citelock" --version
