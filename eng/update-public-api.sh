#!/usr/bin/env bash
# Rewrites the public API baseline (PublicAPI.Shipped.txt / PublicAPI.Unshipped.txt) of every packable project under
# src/ from the code, with the code fixes of Microsoft.CodeAnalysis.PublicApiAnalyzers (RS0016, RS0017). Works offline
# once the solution is restored. Review and commit the diff.
#
#   eng/update-public-api.sh              the whole current API becomes PublicAPI.Shipped.txt; Unshipped is emptied
#                                         (a new baseline, e.g. at a release or after an agreed API change)
#   eng/update-public-api.sh --unshipped  Shipped is kept; the differences from it (new API, *REMOVED* API) are
#                                         written to PublicAPI.Unshipped.txt
#   eng/update-public-api.sh [--unshipped] path/to/X.csproj ...   only these projects
set -euo pipefail
cd "$(dirname "$0")/.."

mode=shipped
if [ "${1:-}" = "--unshipped" ]; then
  mode=unshipped
  shift
fi

projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  while IFS= read -r csproj; do
    # The projects Directory.Build.targets tracks: packable ones that are not tests.
    if [ "$(dotnet msbuild "$csproj" -getProperty:TrackPublicApi)" = "true" ]; then
      projects+=("$csproj")
    fi
  done < <(find src -name '*.csproj' -not -path '*/obj/*' -not -path '*/bin/*' | LC_ALL=C sort)
fi

header='#nullable enable'

# Entries of a baseline file, without its header, sorted (ordinal) and without duplicates.
entries() { grep -v -e '^#nullable' -e '^[[:space:]]*$' "$1" | LC_ALL=C sort -u || true; }

dotnet restore TypedState.sln --verbosity quiet

for csproj in "${projects[@]}"; do
  dir=$(dirname "$csproj")
  shipped="$dir/PublicAPI.Shipped.txt"
  unshipped="$dir/PublicAPI.Unshipped.txt"
  echo "== $csproj"
  if [ "$mode" = "shipped" ] || [ ! -f "$shipped" ]; then
    printf '%s\n' "$header" > "$shipped"
  fi
  printf '%s\n' "$header" > "$unshipped"

  # RS0016's fix adds each public symbol missing from the files to Unshipped; RS0017's marks listed symbols that are
  # gone as *REMOVED* in Unshipped.
  dotnet format analyzers "$csproj" --diagnostics RS0016 RS0017 --severity warn --no-restore --verbosity quiet

  if [ "$mode" = "shipped" ]; then
    { printf '%s\n' "$header"; { entries "$shipped"; entries "$unshipped"; } | LC_ALL=C sort -u; } > "$shipped.new"
    mv "$shipped.new" "$shipped"
    printf '%s\n' "$header" > "$unshipped"
  else
    { printf '%s\n' "$header"; entries "$unshipped"; } > "$unshipped.new"
    mv "$unshipped.new" "$unshipped"
  fi
  echo "   $(entries "$shipped" | wc -l) shipped, $(entries "$unshipped" | wc -l) unshipped entries"
done
