#!/usr/bin/env bash
# Tests getGpusResources.sh's parsing of nvidia-smi output. No GPU is needed: a fake nvidia-smi on PATH
# prints canned output (what nvidia-smi prints for 0, 1, 2 and 8 GPUs, and its failures). The fake checks
# that it is called with exactly the arguments the real one needs. Run by .ci/run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
script="$here/getGpusResources.sh"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
failures=0

# fake_nvidia_smi EXIT_CODE OUTPUT: an nvidia-smi that prints OUTPUT (printf format) and exits with EXIT_CODE.
fake_nvidia_smi() {
  mkdir -p "$tmp/bin"
  cat >"$tmp/bin/nvidia-smi" <<END
#!/usr/bin/env bash
if [ "\$*" != "--query-gpu=index --format=csv,noheader" ]; then
  echo "fake nvidia-smi: unexpected arguments: \$*" >&2
  exit 2
fi
printf '$2'
exit $1
END
  chmod +x "$tmp/bin/nvidia-smi"
}

# expect NAME EXIT_CODE EXPECTED_STDOUT EXPECTED_STDERR_SUBSTRING ("": stderr must be empty)
expect() {
  local name="$1" want_rc="$2" want_out="$3" want_err="$4" rc=0
  PATH="$tmp/bin:/usr/bin:/bin" "$script" >"$tmp/out" 2>"$tmp/err" || rc=$?
  local err_ok=true
  if [ -z "$want_err" ]; then
    [ ! -s "$tmp/err" ] || err_ok=false  # success prints nothing on stderr
  else
    grep -qF -- "$want_err" "$tmp/err" || err_ok=false
  fi
  if [ "$rc" != "$want_rc" ] || [ "$(cat "$tmp/out")" != "$want_out" ] || ! $err_ok; then
    echo "FAIL $name: exit $rc (want $want_rc), stdout '$(cat "$tmp/out")' (want '$want_out'), stderr '$(cat "$tmp/err")' (want it to contain '$want_err')"
    failures=$((failures + 1))
  else
    echo "ok   $name"
  fi
}

fake_nvidia_smi 0 '0\n1\n'
expect "two GPUs" 0 '{"name":"gpu","addresses":["0","1"]}' ""
fake_nvidia_smi 0 '0\n'
expect "one GPU" 0 '{"name":"gpu","addresses":["0"]}' ""
fake_nvidia_smi 0 '0\n1\n2\n3\n4\n5\n6\n7\n'
expect "eight GPUs" 0 '{"name":"gpu","addresses":["0","1","2","3","4","5","6","7"]}' ""
fake_nvidia_smi 0 '0\r\n 1 \r\n\n'
expect "CRLF, spaces and a blank line" 0 '{"name":"gpu","addresses":["0","1"]}' ""
fake_nvidia_smi 0 '3'
expect "no final newline" 0 '{"name":"gpu","addresses":["3"]}' ""
fake_nvidia_smi 6 'No devices were found\n'
expect "no GPU: nvidia-smi exits 6" 1 "" "nvidia-smi failed: No devices were found"
fake_nvidia_smi 0 ''
expect "empty output" 1 "" "nvidia-smi listed no GPUs"
fake_nvidia_smi 9 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n'
expect "driver not loaded" 1 "" "could not communicate with the NVIDIA driver"
fake_nvidia_smi 0 'GPU-5e3a..., 0\n'
expect "unexpected output" 1 "" "expected a GPU index from nvidia-smi but got: GPU-5e3a..., 0"
rm -f "$tmp/bin/nvidia-smi"
expect "nvidia-smi missing" 1 "" "nvidia-smi not found on PATH"

if [ "$failures" -ne 0 ]; then
  echo "test-getGpusResources.sh: $failures case(s) failed" >&2
  exit 1
fi
echo "test-getGpusResources.sh: all cases passed"
