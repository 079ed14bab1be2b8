#!/usr/bin/env bash
# Writes precision-studio.1.gz, precision-cli.1.gz and precision-bench.1.gz into OUT_DIR from the programs' own --help
# and --version (help2man); the CLI's page also lists every subcommand's options.
# Usage: make-manpages.sh STUDIO_EXE CLI_EXE BENCH_EXE OUT_DIR
set -euo pipefail
studio=$1; cli=$2; bench=$3; out=$4
mkdir -p "$out"
export QT_QPA_PLATFORM=offscreen  # --help needs no display; this only silences probing
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

{
  echo "[COMMANDS]"
  for sub in inspect generate compare init-random metadata eval-attributes; do
    echo ".SS $sub"
    echo ".nf"
    "$cli" "$sub" --help | sed 's/\\/\\e/g; s/^\./\\\&./'
    echo ".fi"
  done
  echo "[EXIT STATUS]"
  echo "0 success, 1 model or data error, 2 bad option or configuration, 3 internal error,"
  echo "4 the run produced non-finite values, 130 cancelled (Ctrl-C)."
  echo "[SEE ALSO]"
  echo "precision-studio(1)"
} > "$tmp/cli.h2m"
{
  echo "[FILES]"
  echo "/usr/share/precision-studio/models/newbie-demo: the embedded demo model."
  echo "[EXIT STATUS]"
  echo "0 success; 1 a --screenshot could not be saved or a requested run failed; 3 a --screenshot"
  echo "or --compare did not complete within --quit-after-ms (or the metrics within 10 s)."
  echo "[SEE ALSO]"
  echo "precision-cli(1)"
} > "$tmp/studio.h2m"

help2man --no-info --section 1 --name "compare NewBie-image generations across precisions" \
  --include "$tmp/studio.h2m" --output "$tmp/precision-studio.1" "$studio"
help2man --no-info --section 1 --name "command line of Precision Studio: inspect, generate, compare, metadata" \
  --include "$tmp/cli.h2m" --output "$tmp/precision-cli.1" "$cli"
help2man --no-info --section 1 --no-discard-stderr --version-string "$("$cli" --version)" \
  --name "time NewBie-image generation per precision" --output "$tmp/precision-bench.1" "$bench"
for page in precision-studio precision-cli precision-bench; do
  gzip -9n -c "$tmp/$page.1" > "$out/$page.1.gz"
done
