#!/usr/bin/env bash
# EMR bootstrap action: node-level settings a platform team needs.
#   - open-file and process limits for every user (PAM limits drop-in)
#   - journald disk use and retention (journald drop-in; journald restarted only on change)
#
# Runs on every node as the `hadoop` user (passwordless sudo) before applications start, on
# Amazon Linux 2 and 2023, aarch64 (Graviton) and x86_64. A failing bootstrap action fails the
# cluster, so every failure exits non-zero with a message; nothing waits on input.
#
# Self-contained on purpose: EMR downloads each bootstrap script alone, so nothing is sourced.
set -Eeuo pipefail

readonly SCRIPT_NAME="configure-node.sh"

usage() {
  cat <<'EOF'
Usage: configure-node.sh [--nofile N] [--nproc N] [--journal-max-use SIZE] [--journal-retention DAYS]

Configure node-level settings on an EMR node. Idempotent: files are rewritten only when their
content differs, and systemd-journald is restarted only when its drop-in changed.

Options (also accepted as --option=value):
  --nofile N                 open-file limit (soft and hard) for all users, root included;
                             1024..1048576 (default: 65536)
  --nproc N                  process limit (soft and hard) for all users, root included;
                             1024..4194304 (default: 65536)
  --journal-max-use SIZE     journald SystemMaxUse: a whole number with K, M, G or T,
                             e.g. 500M or 2G (default: 2G)
  --journal-retention DAYS   journald MaxRetentionSec in days, 1..3650 (default: 7)
  -h, --help                 show this help and exit

Files written:
  /etc/security/limits.d/90-emr-constructs.conf
  /etc/systemd/journald.conf.d/90-emr-constructs.conf

Environment (for testing; defaults are the real paths):
  EMR_CONSTRUCTS_ROOT            prefix prepended to every absolute path the script writes
  EMR_CONSTRUCTS_LOG_DIR         log directory (default: $EMR_CONSTRUCTS_ROOT/var/log/emr-constructs)
  EMR_CONSTRUCTS_LIMITS_FILE     limits drop-in (default: $EMR_CONSTRUCTS_ROOT/etc/security/limits.d/90-emr-constructs.conf)
  EMR_CONSTRUCTS_JOURNALD_FILE   journald drop-in (default: $EMR_CONSTRUCTS_ROOT/etc/systemd/journald.conf.d/90-emr-constructs.conf)

Exit status: 0 on success (changed or already configured), 2 on invalid arguments, 1 on any failure.
EOF
}

# ---------------------------------------------------------------------------------------------
# Logging: "[emr-constructs] <ISO 8601 timestamp> <script>: <message>" to stdout (errors to stderr)
# and appended to $LOG_FILE once the log directory exists.
# ---------------------------------------------------------------------------------------------
LOG_FILE=""

# Sets LINE to the formatted message (no subshell: bootstrap logs should not cost a fork a line).
_format() {
  local ts
  printf -v ts '%(%Y-%m-%dT%H:%M:%S%z)T' -1
  printf -v LINE '[emr-constructs] %s %s: %s' "$ts" "$SCRIPT_NAME" "$*"
}

_to_log_file() {
  if [[ -n "$LOG_FILE" ]]; then
    printf '%s\n' "$1" | sudo -n tee -a "$LOG_FILE" >/dev/null 2>&1 ||
      printf '[emr-constructs] warning: could not append to %s\n' "$LOG_FILE" >&2
  fi
}

log() {
  _format "$*"
  printf '%s\n' "$LINE"
  _to_log_file "$LINE"
}

err() {
  _format "ERROR: $*"
  printf '%s\n' "$LINE" >&2
  _to_log_file "$LINE"
}

die() {
  err "$1"
  exit "${2:-1}"
}

usage_error() {
  printf '[emr-constructs] %s: ERROR: %s\n\n' "$SCRIPT_NAME" "$1" >&2
  usage >&2
  exit 2
}

WORK_DIR=""
cleanup() {
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
    rm -rf -- "$WORK_DIR"
  fi
}

on_error() {
  local status=$1 line=$2 command=$3
  trap - ERR
  if ((BASH_SUBSHELL > 0)); then
    exit "$status" # the parent shell reports the failing command
  fi
  err "unexpected failure at line ${line} of ${SCRIPT_NAME} (exit ${status}) running: ${command}"
  err "the bootstrap action failed; the cluster will not start. See the messages above."
  exit "$status"
}

trap 'on_error "$?" "$LINENO" "$BASH_COMMAND"' ERR
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------------
NOFILE=65536
NPROC=65536
JOURNAL_MAX_USE=2G
JOURNAL_RETENTION_DAYS=7

# Whole number without leading zeros, at most 9 digits (safe for shell arithmetic), in [min, max].
check_int() {
  local option=$1 value=$2 min=$3 max=$4
  if [[ ! "$value" =~ ^[1-9][0-9]{0,8}$ ]] || ((value < min || value > max)); then
    usage_error "${option} must be a whole number from ${min} to ${max}, got '${value}'"
  fi
}

while [[ $# -gt 0 ]]; do
  option=$1
  case "$option" in
    -h | --help)
      usage
      exit 0
      ;;
    --nofile=* | --nproc=* | --journal-max-use=* | --journal-retention=*)
      value=${option#*=}
      option=${option%%=*}
      shift
      ;;
    --nofile | --nproc | --journal-max-use | --journal-retention)
      if [[ $# -lt 2 ]]; then
        usage_error "${option} needs a value"
      fi
      value=$2
      shift 2
      ;;
    *)
      usage_error "unknown argument '${option}'"
      ;;
  esac
  case "$option" in
    --nofile)
      # above fs.nr_open (1048576 by default) pam_limits refuses every login, sudo included
      check_int "$option" "$value" 1024 1048576
      NOFILE=$value
      ;;
    --nproc)
      check_int "$option" "$value" 1024 4194304
      NPROC=$value
      ;;
    --journal-max-use)
      if [[ ! "$value" =~ ^[1-9][0-9]{0,8}[KMGT]$ ]]; then
        usage_error "--journal-max-use must be a whole number followed by K, M, G or T (e.g. 500M, 2G), got '${value}'"
      fi
      JOURNAL_MAX_USE=$value
      ;;
    --journal-retention)
      check_int "$option" "$value" 1 3650
      JOURNAL_RETENTION_DAYS=$value
      ;;
    *)
      usage_error "internal error: unhandled option '${option}'"
      ;;
  esac
done

ROOT=${EMR_CONSTRUCTS_ROOT:-}
if [[ -n "$ROOT" && "$ROOT" != /* ]]; then
  usage_error "EMR_CONSTRUCTS_ROOT must be an absolute path, got '${ROOT}'"
fi
LOG_DIR=${EMR_CONSTRUCTS_LOG_DIR:-${ROOT}/var/log/emr-constructs}
LIMITS_FILE=${EMR_CONSTRUCTS_LIMITS_FILE:-${ROOT}/etc/security/limits.d/90-emr-constructs.conf}
JOURNALD_FILE=${EMR_CONSTRUCTS_JOURNALD_FILE:-${ROOT}/etc/systemd/journald.conf.d/90-emr-constructs.conf}

# ---------------------------------------------------------------------------------------------
# Preconditions: passwordless sudo, log file, architecture
# ---------------------------------------------------------------------------------------------
if ! sudo -n true 2>/dev/null; then
  die "passwordless sudo is required (EMR bootstrap actions run as 'hadoop' with sudo); 'sudo -n true' failed"
fi
if ! sudo -n install -d -m 0755 "$LOG_DIR"; then
  die "could not create log directory ${LOG_DIR}"
fi
LOG_FILE="${LOG_DIR}/bootstrap.log"

log "starting: nofile=${NOFILE} nproc=${NPROC} journal-max-use=${JOURNAL_MAX_USE} journal-retention=${JOURNAL_RETENTION_DAYS}day"

ARCH=$(uname -m)
case "$ARCH" in
  aarch64 | x86_64)
    log "architecture: ${ARCH}"
    ;;
  *)
    die "unsupported architecture '${ARCH}': EMR nodes run on x86_64 or aarch64 (Graviton) only"
    ;;
esac

WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/emr-constructs.XXXXXXXX")

# write_if_changed PATH CONTENT: installs CONTENT at PATH (0644, atomically) unless it is already
# there. Sets CHANGED to 1 when the file was written, 0 when it was left alone.
CHANGED=0
write_if_changed() {
  local path=$1 content=$2 staged want have=""
  staged="${WORK_DIR}/$(basename -- "$path")"
  printf '%s' "$content" >"$staged"
  want=$(sha256sum <"$staged")
  if [[ -f "$path" ]]; then
    have=$(sha256sum <"$path")
  fi
  if [[ "$have" == "$want" ]]; then
    CHANGED=0
    log "unchanged: ${path}"
    return 0
  fi
  if [[ -e "$path" ]]; then
    log "updating: ${path} (content differs)"
  else
    log "creating: ${path}"
  fi
  # Stage beside the target (the .tmp name is ignored by pam_limits and journald), then rename.
  if ! sudo -n install -d -m 0755 "$(dirname -- "$path")" ||
    ! sudo -n install -m 0644 "$staged" "${path}.emr-constructs.tmp" ||
    ! sudo -n mv -f "${path}.emr-constructs.tmp" "$path"; then
    die "could not write ${path}"
  fi
  CHANGED=1
  log "wrote: ${path}"
}

# ---------------------------------------------------------------------------------------------
# Limits (pam_limits). `*` does not apply to root, so root gets its own lines.
# ---------------------------------------------------------------------------------------------
LIMITS_CONTENT="# Managed by emr-constructs (bootstrap/configure-node.sh); rewritten by the bootstrap action.
# <domain> <type> <item>  <value>
*          soft   nofile  ${NOFILE}
*          hard   nofile  ${NOFILE}
*          soft   nproc   ${NPROC}
*          hard   nproc   ${NPROC}
root       soft   nofile  ${NOFILE}
root       hard   nofile  ${NOFILE}
root       soft   nproc   ${NPROC}
root       hard   nproc   ${NPROC}
"
write_if_changed "$LIMITS_FILE" "$LIMITS_CONTENT"
log "limits: nofile=${NOFILE} nproc=${NPROC} for all users (applies to new sessions)"

# ---------------------------------------------------------------------------------------------
# journald retention
# ---------------------------------------------------------------------------------------------
JOURNALD_CONTENT="# Managed by emr-constructs (bootstrap/configure-node.sh); rewritten by the bootstrap action.
[Journal]
SystemMaxUse=${JOURNAL_MAX_USE}
MaxRetentionSec=${JOURNAL_RETENTION_DAYS}day
"
write_if_changed "$JOURNALD_FILE" "$JOURNALD_CONTENT"
if ((CHANGED)); then
  log "restarting systemd-journald to apply ${JOURNALD_FILE}"
  if ! sudo -n systemctl restart systemd-journald; then
    die "systemctl restart systemd-journald failed; check 'journalctl -u systemd-journald' and ${JOURNALD_FILE}"
  fi
  log "restarted systemd-journald"
else
  log "journald settings unchanged; not restarting systemd-journald"
fi

log "done"
