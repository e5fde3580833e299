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
for objdir in "${objdirs[@]}"; do
    cd "$objdir" || exit 1
    objs=()
    for o in $(find . -name '*.o' | sed 's|^\./||' | sort); do
        [ -f "$srcdir/${o%.o}" ] && objs+=("$o")
    done
    [ ${#objs[@]} -gt 0 ] || continue
    nm -A -g --defined-only "${objs[@]}" | awk 'NF == 3' | tag >>"$defs"
    nm -A -g --undefined-only "${objs[@]}" | tag >>"$uses"
    cd "$OLDPWD" || exit 1
done
bad=$(awk 'NR==FNR {def[$1]=$2; rk[$1]=$3; next}
           ($1 in def) && rk[$1] > $3 {printf "%s (layer %d) uses %s from %s (layer %d)\n", $2, $3, $1, def[$1], rk[$1]}' \
      "$defs" "$uses" | sort)
if [ -n "$bad" ]; then
    echo "$bad"
    echo "layer violations: $(echo "$bad" | wc -l)"
    exit 1
fi
echo "layers ok: $(wc -l <"$defs") symbols"
