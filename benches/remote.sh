#!/usr/bin/env bash
# The remote archive (issue 17): 10,000 generated objects (mixed sizes, ~1 GiB) pushed to
# s3s-fs on loopback, pushed again (nothing to do), then `verify --remote --quick` and
# `verify --remote`; against `rclone copy` / `rclone check` and `aws s3 sync` on the same
# server in the same run, each into its own bucket. Wall time and peak memory from
# /usr/bin/time. Needs s3s-fs (.ci/test installs it), rclone (Debian) and awscli (PyPI).
# Usage: bash benches/remote.sh
#        TINY=100000 bash benches/remote.sh   (100,000 objects of 1 KiB, citelock only: requests per object)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -q
bin=$PWD/target/release/citelock
s3s=$(command -v s3s-fs || echo "$HOME/.cargo/bin/s3s-fs")
d=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$d/server"/{citelock,rclone,rclone16,aws}
RUST_LOG=s3s::service=debug "$s3s" --host 127.0.0.1 --port "$port" --access-key bench --secret-key bench-secret "$d/server" > "$d/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$d"' EXIT
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench-secret AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
endpoint="http://127.0.0.1:$port"

mkdir -p "$d/repo"
"$bin" -C "$d/repo" -q init --remote "s3://citelock/archive"
python3 - "$d/repo/citelock.toml" "$endpoint" <<'EOF'
import sys
p, endpoint = sys.argv[1], sys.argv[2]
s = open(p).read().replace("\n[remote]\n", f'\n[remote]\nendpoint = "{endpoint}"\npath-style = true\n', 1)
open(p, "w").write(s)
EOF
python3 - "$d/repo/archive" "${TINY:-0}" <<'EOF'
import hashlib, os, sys
archive, tiny = sys.argv[1], int(sys.argv[2])
kinds = [(tiny, 1024)] if tiny else [(8, 64 << 20), (96, 2 << 20), (1896, 128 << 10), (8000, 10 << 10)]
lines = []
for count, size in kinds:
    for _ in range(count):
        data = os.urandom(size)
        h = hashlib.sha256(data).hexdigest()
        os.makedirs(f"{archive}/objects/sha256/{h[:2]}", exist_ok=True)
        with open(f"{archive}/objects/sha256/{h[:2]}/{h[2:]}", "wb") as f:
            f.write(data)
        lines.append(f"{h}  objects/sha256/{h[:2]}/{h[2:]}\n")
lines.sort()
open(f"{archive}/manifest-sha256.txt", "w").writelines(lines)
EOF
objects=$(wc -l < "$d/repo/archive/manifest-sha256.txt")
total=$(du -sb "$d/repo/archive/objects" | cut -f1)
echo "objects: $objects, $(( total / 1048576 )) MiB (generated), s3s-fs $("$s3s" --version | cut -d' ' -f2), $(rclone version | head -1), $(aws --version 2>&1 | cut -d' ' -f1)"
find "$d/repo/archive/objects" -type f -exec cat {} + > /dev/null

export RCLONE_CONFIG_BENCH_TYPE=s3 RCLONE_CONFIG_BENCH_PROVIDER=Other RCLONE_CONFIG_BENCH_ENDPOINT=$endpoint \
  RCLONE_CONFIG_BENCH_ACCESS_KEY_ID=bench RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY=bench-secret \
  RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE=true RCLONE_CONFIG_BENCH_REGION=us-east-1
requests() { grep -c "req: Request" "$d/server.log" || true; }
run() { # label, command...
  local label=$1; shift
  local before; before=$(requests)
  /usr/bin/time -f "%e %M" -o "$d/time" "$@" > "$d/out" 2>&1 || { echo "$label failed:"; tail -5 "$d/out"; }
  read -r secs kb < <(tail -1 "$d/time")
  printf '%-34s %8.2f s  %7.1f MB peak  %7d requests\n' "$label" "$secs" "$(echo "$kb/1024" | bc -l)" "$(( $(requests) - before ))"
  echo "$secs" > "$d/$label.secs"
}
objs=$d/repo/archive/objects
run "citelock push" "$bin" -C "$d/repo" -q push
run "citelock push (again, no-op)" "$bin" -C "$d/repo" -q push
run "citelock verify --remote --quick" "$bin" -C "$d/repo" -q verify --remote --quick
run "citelock verify --remote" "$bin" -C "$d/repo" -q verify --remote
[ -n "${TINY:-}" ] && exit 0
run "rclone copy" env -u AWS_CA_BUNDLE rclone copy "$objs" bench:rclone/objects
run "rclone copy (again, no-op)" env -u AWS_CA_BUNDLE rclone copy "$objs" bench:rclone/objects
run "rclone copy --transfers 16" env -u AWS_CA_BUNDLE rclone copy --transfers 16 --checkers 16 "$objs" bench:rclone16/objects
run "rclone check" env -u AWS_CA_BUNDLE rclone check "$objs" bench:rclone/objects
run "rclone check --size-only" env -u AWS_CA_BUNDLE rclone check --size-only "$objs" bench:rclone/objects
run "aws s3 sync" aws --endpoint-url "$endpoint" s3 sync --only-show-errors "$objs" s3://aws/objects
run "aws s3 sync (again, no-op)" aws --endpoint-url "$endpoint" s3 sync --only-show-errors "$objs" s3://aws/objects
ratio() { echo "$(cat "$d/$1.secs") / $(cat "$d/$2.secs")" | bc -l | cut -c1-4; }
echo "push / rclone copy: $(ratio 'citelock push' 'rclone copy')x; no-op push / rclone copy: $(ratio 'citelock push (again, no-op)' 'rclone copy')x"
echo "verify --remote / rclone check: $(ratio 'citelock verify --remote' 'rclone check')x; push / aws s3 sync: $(ratio 'citelock push' 'aws s3 sync')x"
