# Sourced by gen.sh and gen-lock.sh.
# mk FILE DESCRIPTION HEADER-LINES... -- PIPELINE-LINES... [-- PIPELINE-LINES...]: one pipeline (one implicit transaction) per group
mk() {
  local f=$1 d=$2; shift 2
  { echo "-- $d"
    while [[ $1 != -- ]]; do echo "$1"; shift; done
    while (($#)); do
      shift; echo '\startpipeline'
      while (($#)) && [[ $1 != -- ]]; do echo "$1"; shift; done
      echo '\endpipeline'
    done; } > "$f"
}
