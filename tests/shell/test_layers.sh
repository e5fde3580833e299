#!/bin/sh
# The core library's layers, checked on the object files: a symbol defined in
# one directory may be used only by the same or a higher layer
#   asn1 (wire formats) < core (checks, verdict, trust, policy, rendering)
#   < evidence (one engine per format, and producers) < verifier (registry,
#   driver, verdict outputs).
# Usage: test_layers.sh OBJDIR SRCDIR  (the attestcore target's CMakeFiles directory;
# objects left by sources that moved away are ignored)
set -eu
objdir=$1 srcdir=$2
rank() {
    case $1 in
    asn1/*) echo 0 ;; core/*) echo 1 ;; evidence/*) echo 2 ;; verifier/*) echo 3 ;; *) echo 9 ;;
    esac
}
defs=$(mktemp) uses=$(mktemp)
trap 'rm -f "$defs" "$uses"' EXIT
cd "$objdir"
for o in $(find . -name '*.o' | sed 's|^\./||' | sort); do
    src=${o%.o}; r=$(rank "$src")
    [ -f "$srcdir/$src" ] || continue
    nm -g --defined-only "$o" | awk -v s="$src" -v r="$r" 'NF==3 {print $3, s, r}' >>"$defs"
    nm -g --undefined-only "$o" | awk -v s="$src" -v r="$r" '{print $NF, s, r}' >>"$uses"
done
bad=$(awk 'NR==FNR {def[$1]=$2; rk[$1]=$3; next}
           ($1 in def) && rk[$1] > $3 {printf "%s (layer %d) uses %s from %s (layer %d)\n", $2, $3, $1, def[$1], rk[$1]}' \
      "$defs" "$uses" | sort)
if [ -n "$bad" ]; then
    echo "$bad"
    echo "layer violations: $(echo "$bad" | wc -l)"
    exit 1
fi
echo "layers ok: $(wc -l <"$defs") symbols objects"
