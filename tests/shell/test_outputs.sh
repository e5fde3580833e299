#!/usr/bin/env bash
# test_outputs.sh - where --out may point: a regular file is replaced atomically; a FIFO or a
# device is written in place, never renamed over (`--out /dev/null` once replaced the device
# with a regular file); a directory is refused with one line.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

IN=$VEC/csr-attestation/tcgAttestTpmCertify.HEAD-02aed20.pem
"$REQ" show --in "$IN" >"$T/want.txt"
mkdir "$T/o"
check "--out FILE: the output, nothing else left in the directory" eval '"$REQ" show --in "$IN" --out "$T/o/a.txt" \
    && cmp -s "$T/o/a.txt" "$T/want.txt" && [[ $(ls -A "$T/o") == a.txt ]]'
mkfifo "$T/o/fifo"
check "--out FIFO: written through the FIFO, which stays a FIFO, no temporary file" eval '{ cat "$T/o/fifo" >"$T/got.txt" & } \
    && "$REQ" show --in "$IN" --out "$T/o/fifo" && wait && cmp -s "$T/got.txt" "$T/want.txt" && [[ -p $T/o/fifo ]] \
    && [[ $(ls -A "$T/o" | sort | tr "\n" " ") == "a.txt fifo " ]]'
check "--out a directory -> 2, one line, the directory untouched" eval 'rc_is 2 "$REQ" show --in "$IN" --out "$T/o" \
    && one_line "is a directory" && [[ $(ls -A "$T/o" | sort | tr "\n" " ") == "a.txt fifo " ]]'
# A symbolic link is written through, not replaced (a link of our own: never risk /dev/stdout itself).
ln -s "$T/o/a.txt" "$T/o/link"
check "--out SYMLINK: written through to its target, the link kept" eval '"$REQ" show --in "$IN" --out "$T/o/link" \
    && [[ -L $T/o/link ]] && cmp -s "$T/o/a.txt" "$T/want.txt"'
mkdir "$T/d"; ln -s "$T/d" "$T/o/dlink"
check "--out SYMLINK to a directory -> 2, one line" eval 'rc_is 2 "$REQ" show --in "$IN" --out "$T/o/dlink" \
    && one_line "is a directory" && [[ -L $T/o/dlink && -z $(ls -A "$T/d") ]]'
check "--out /dev/stdout into a pipe: the output arrives" eval '"$REQ" show --in "$IN" --out /dev/stdout | cat >"$T/so.txt" \
    && cmp -s "$T/so.txt" "$T/want.txt" && [[ -L /dev/stdout ]]'
finish
