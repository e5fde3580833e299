#!/bin/bash
# The core library's layers, checked on the object files: a symbol defined in
# one directory may be used only by the same or a higher layer
#   asn1 (wire formats) < core (checks, verdict, trust, policy, rendering)
#   < evidence (one engine per format, and producers) < verifier (registry,
#   driver, verdict outputs).
# Usage: test_layers.sh OBJDIR... SRCDIR  (the attestcore target's CMakeFiles directory;
# objects left by sources that moved away are ignored)
set -eu
srcdir=$(cd "${@: -1}" && pwd)
objdirs=("${@:1:$#-1}")
defs=$(mktemp) uses=$(mktemp)
trap 'rm -f "$defs" "$uses"' EXIT
# One nm per directory; "obj.o:value type name" lines, the layer from the source's path.
tag() {
    awk -F'[: ]+' '{
        src = $1; sub(/\.o$/, "", src)
        if (src ~ /^asn1\//) r = 0; else if (src ~ /^core\//) r = 1
        else if (src ~ /^evidence\//) r = 2; else if (src ~ /^verifier\//) r = 3; else r = 9
        print $NF, src, r
    }'
}
# One object per source: the newest, when an old build tree still holds one under another target.
declare -A newest
for objdir in "${objdirs[@]}"; do
    objdir=$(cd "$objdir" && pwd)
    while IFS= read -r o; do
        src=${o#"$objdir"/}; src=${src%.o}
        [ -f "$srcdir/$src" ] || continue
        if [ -z "${newest[$src]:-}" ] || [ "$o" -nt "${newest[$src]}" ]; then newest[$src]=$o; fi
    done < <(find "$objdir" -name '*.o' | sort)
done
[ ${#newest[@]} -gt 0 ] || { echo "no objects"; exit 1; }
# nm -A names each line by the path given: run it from a directory of links named by source.
links=$(mktemp -d)
trap 'rm -rf "$defs" "$uses" "$links"' EXIT
for src in "${!newest[@]}"; do
    mkdir -p "$links/$(dirname "$src")"
    ln -s "${newest[$src]}" "$links/$src.o"
done
cd "$links"
objs=$(find . -name '*.o' | sed 's|^\./||' | sort)
# shellcheck disable=SC2086
nm -A -g --defined-only $objs | awk 'NF == 3' | tag >>"$defs"
# shellcheck disable=SC2086
nm -A -g --undefined-only $objs | tag >>"$uses"
bad=$(awk 'NR==FNR {def[$1]=$2; rk[$1]=$3; next}
           ($1 in def) && rk[$1] > $3 {printf "%s (layer %d) uses %s from %s (layer %d)\n", $2, $3, $1, def[$1], rk[$1]}' \
      "$defs" "$uses" | sort)
if [ -n "$bad" ]; then
    echo "$bad"
    echo "layer violations: $(echo "$bad" | wc -l)"
    exit 1
fi
echo "layers ok: $(wc -l <"$defs") symbols"
