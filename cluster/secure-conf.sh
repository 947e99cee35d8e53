#!/usr/bin/env bash
# Writes a Spark properties file with Kindling's secure defaults (conf/spark-secure.conf.template) and a
# freshly generated authentication secret (32 random bytes, base64), readable by its owner only.
#
# Usage: cluster/secure-conf.sh OUT.conf      (refuses to overwrite an existing file)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[ $# -eq 1 ] || die "usage: secure-conf.sh OUT.conf"
out="$1"
[ ! -e "$out" ] || die "$out exists; remove it first to generate a new secret (every node needs the same one)"
if command -v openssl >/dev/null 2>&1; then
  secret="$(openssl rand -base64 32)"
else
  secret="$(head -c 32 /dev/urandom | base64)"
fi
[ ${#secret} -eq 44 ] || die "could not generate a 32-byte secret (got ${#secret} characters of base64)"
mkdir -p "$(dirname "$out")"
umask 077
sed "s|@SECRET@|$secret|" "$KINDLING_CLUSTER/conf/spark-secure.conf.template" >"$out"
grep -q "^spark.authenticate.secret  *$secret\$" "$out" || die "the secret was not written into $out"
echo "$out"
