#!/usr/bin/env bash
# EMR bootstrap action: node metrics from the Amazon CloudWatch agent on releases below emr-7.0.0.
#
# emr-7.0.0 and later ship the agent as the AmazonCloudWatchAgent application; emr-constructs adds this
# action only below 7.0. It installs the agent from the Amazon Linux 2 repositories and publishes the
# agent's default system metrics under the namespace and dimensions EMR 7.x uses (CWAgent; cluster.id,
# instance.id, node.type, service.name), so dashboards and alarms read old and new clusters alike.
#
# Runs on every node as the `hadoop` user (passwordless sudo) before applications start, on Amazon
# Linux 2, aarch64 (Graviton) and x86_64. A failing bootstrap action fails the cluster, so every
# failure exits non-zero with a message; nothing waits on input.
#
# Self-contained on purpose: EMR downloads each bootstrap script alone, so nothing is sourced.
set -Eeuo pipefail

readonly SCRIPT_NAME="install-cloudwatch-agent.sh"

usage() {
  cat <<'EOF'
Usage: install-cloudwatch-agent.sh [--interval SECONDS]

Install and start the Amazon CloudWatch agent with EMR 7.x's default node metrics. Idempotent: the
package is installed once, the configuration is rewritten only when it differs, and the agent is
(re)started only when its configuration changed or it is not running.

Options (also accepted as --option=value):
  --interval SECONDS   metrics_collection_interval, 1..3600 (default: 60; below 60 the metrics
                       are high-resolution and cost more)
  -h, --help           show this help and exit

Reads:
  /mnt/var/lib/info/extraInstanceData.json   the cluster id (jobFlowId) and the node's role
  instance metadata (IMDSv2)                 the instance id

Files written:
  /opt/aws/amazon-cloudwatch-agent/etc/emr-constructs-node-metrics.json

Environment (for testing; defaults are the real paths):
  EMR_CONSTRUCTS_ROOT        prefix prepended to every absolute path the script reads or writes
  EMR_CONSTRUCTS_LOG_DIR     log directory (default: $EMR_CONSTRUCTS_ROOT/var/log/emr-constructs)
  EMR_CONSTRUCTS_AGENT_CTL   agent control script (default: /opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl)
  EMR_CONSTRUCTS_IMDS        instance metadata endpoint (default: http://169.254.169.254)

Exit status: 0 on success (changed or already configured), 2 on invalid arguments, 1 on any failure.
EOF
}

# ---------------------------------------------------------------------------------------------
# Logging: "[emr-constructs] <ISO 8601 timestamp> <script>: <message>" to stdout (errors to stderr)
# and appended to $LOG_FILE once the log directory exists.
# ---------------------------------------------------------------------------------------------
LOG_FILE=""

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
INTERVAL=60

while [[ $# -gt 0 ]]; do
  option=$1
  case "$option" in
    -h | --help)
      usage
      exit 0
      ;;
    --interval=*)
      value=${option#*=}
      option=--interval
      shift
      ;;
    --interval)
      if [[ $# -lt 2 ]]; then
        usage_error "--interval needs a value"
      fi
      value=$2
      shift 2
      ;;
    *)
      usage_error "unknown argument '${option}'"
      ;;
  esac
  if [[ ! "$value" =~ ^[1-9][0-9]{0,3}$ ]] || ((value > 3600)); then
    usage_error "--interval must be a whole number of seconds from 1 to 3600, got '${value}'"
  fi
  INTERVAL=$value
done

ROOT=${EMR_CONSTRUCTS_ROOT:-}
if [[ -n "$ROOT" && "$ROOT" != /* ]]; then
  usage_error "EMR_CONSTRUCTS_ROOT must be an absolute path, got '${ROOT}'"
fi
LOG_DIR=${EMR_CONSTRUCTS_LOG_DIR:-${ROOT}/var/log/emr-constructs}
INFO_FILE="${ROOT}/mnt/var/lib/info/extraInstanceData.json"
CONFIG_FILE="${ROOT}/opt/aws/amazon-cloudwatch-agent/etc/emr-constructs-node-metrics.json"
AGENT_CTL=${EMR_CONSTRUCTS_AGENT_CTL:-/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl}
IMDS=${EMR_CONSTRUCTS_IMDS:-http://169.254.169.254}
readonly PACKAGE=amazon-cloudwatch-agent

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

log "starting: interval=${INTERVAL}s"

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

# ---------------------------------------------------------------------------------------------
# Where this node is: cluster id and role from EMR's instance data, instance id from IMDSv2
# ---------------------------------------------------------------------------------------------
# json_string KEY FILE: the string value of a top-level "KEY": "value" pair (EMR writes flat JSON).
json_string() {
  local key=$1 file=$2 match
  match=$(grep -o "\"${key}\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" "$file" | head -n 1) || true
  match=${match%\"}
  printf '%s' "${match##*\"}"
}

if [[ ! -r "$INFO_FILE" ]]; then
  die "cannot read ${INFO_FILE}; this script runs as an EMR bootstrap action, where EMR writes that file"
fi
CLUSTER_ID=$(json_string jobFlowId "$INFO_FILE")
NODE_TYPE=$(json_string instanceRole "$INFO_FILE")
NODE_TYPE=${NODE_TYPE,,}
if [[ ! "$CLUSTER_ID" =~ ^j-[A-Z0-9]+$ ]]; then
  die "no cluster id (jobFlowId) in ${INFO_FILE}, found '${CLUSTER_ID}'"
fi
case "$NODE_TYPE" in
  master | core | task) ;;
  *) die "no node role (instanceRole master, core or task) in ${INFO_FILE}, found '${NODE_TYPE}'" ;;
esac

TOKEN=$(curl -fsS --max-time 5 --retry 3 -X PUT "${IMDS}/latest/api/token" \
  -H "X-aws-ec2-metadata-token-ttl-seconds: 300") ||
  die "could not get an instance metadata (IMDSv2) token from ${IMDS}"
INSTANCE_ID=$(curl -fsS --max-time 5 --retry 3 -H "X-aws-ec2-metadata-token: ${TOKEN}" \
  "${IMDS}/latest/meta-data/instance-id") ||
  die "could not read the instance id from instance metadata at ${IMDS}"
if [[ ! "$INSTANCE_ID" =~ ^i-[0-9a-f]+$ ]]; then
  die "instance metadata returned '${INSTANCE_ID}', not an instance id"
fi
log "node: cluster ${CLUSTER_ID}, ${NODE_TYPE} node ${INSTANCE_ID}"

# ---------------------------------------------------------------------------------------------
# Package
# ---------------------------------------------------------------------------------------------
if rpm -q "$PACKAGE" >/dev/null 2>&1; then
  log "already installed: $(rpm -q "$PACKAGE")"
else
  log "installing ${PACKAGE} from the Amazon Linux 2 repositories"
  if ! sudo -n yum install -y -q "$PACKAGE"; then
    die "yum could not install ${PACKAGE}; the node needs a route to the Amazon Linux repositories (an S3 gateway endpoint whose policy admits them, or a NAT gateway)"
  fi
  log "installed: $(rpm -q "$PACKAGE")"
fi

# ---------------------------------------------------------------------------------------------
# Configuration: the metrics EMR 7.x's agent publishes by default (AmazonCloudWatchAgent-metrics)
# ---------------------------------------------------------------------------------------------
DIMENSIONS="{\"cluster.id\": \"${CLUSTER_ID}\", \"instance.id\": \"${INSTANCE_ID}\", \"node.type\": \"${NODE_TYPE}\", \"service.name\": \"system\"}"
CONFIG_CONTENT="{
  \"agent\": {\"metrics_collection_interval\": ${INTERVAL}, \"logfile\": \"/opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log\"},
  \"metrics\": {
    \"namespace\": \"CWAgent\",
    \"metrics_collected\": {
      \"cpu\": {\"totalcpu\": true, \"measurement\": [\"usage_active\", \"usage_guest\", \"usage_guest_nice\", \"usage_idle\", \"usage_iowait\", \"usage_irq\", \"usage_nice\", \"usage_softirq\", \"usage_steal\", \"usage_system\", \"usage_user\"], \"append_dimensions\": ${DIMENSIONS}},
      \"disk\": {\"resources\": [\"*\"], \"drop_device\": true, \"ignore_file_system_types\": [\"devtmpfs\", \"overlay\", \"squashfs\", \"sysfs\", \"tmpfs\"], \"measurement\": [\"free\", \"total\", \"used\", \"used_percent\"], \"append_dimensions\": ${DIMENSIONS}},
      \"mem\": {\"measurement\": [\"active\", \"available\", \"available_percent\", \"buffered\", \"cached\", \"free\", \"inactive\", \"total\", \"used\", \"used_percent\"], \"append_dimensions\": ${DIMENSIONS}},
      \"net\": {\"measurement\": [\"bytes_recv\", \"bytes_sent\", \"packets_recv\", \"packets_sent\"], \"append_dimensions\": ${DIMENSIONS}},
      \"processes\": {\"measurement\": [\"running\", \"total\"], \"append_dimensions\": ${DIMENSIONS}},
      \"swap\": {\"measurement\": [\"free\", \"used\", \"used_percent\"], \"append_dimensions\": ${DIMENSIONS}}
    }
  }
}
"

CHANGED=0
staged="${WORK_DIR}/agent.json"
printf '%s' "$CONFIG_CONTENT" >"$staged"
want=$(sha256sum <"$staged")
have=""
if [[ -f "$CONFIG_FILE" ]]; then
  have=$(sha256sum <"$CONFIG_FILE")
fi
if [[ "$have" == "$want" ]]; then
  log "unchanged: ${CONFIG_FILE}"
else
  if ! sudo -n install -d -m 0755 "$(dirname -- "$CONFIG_FILE")" ||
    ! sudo -n install -m 0644 "$staged" "${CONFIG_FILE}.emr-constructs.tmp" ||
    ! sudo -n mv -f "${CONFIG_FILE}.emr-constructs.tmp" "$CONFIG_FILE"; then
    die "could not write ${CONFIG_FILE}"
  fi
  CHANGED=1
  log "wrote: ${CONFIG_FILE}"
fi

# ---------------------------------------------------------------------------------------------
# Start (fetch-config loads the file; -s starts or restarts the agent)
# ---------------------------------------------------------------------------------------------
STATUS=$(sudo -n "$AGENT_CTL" -m ec2 -a status 2>/dev/null || true)
if ((CHANGED == 0)) && [[ "$STATUS" == *'"status": "running"'* ]]; then
  log "agent already running with this configuration; nothing to do"
else
  log "starting the agent with ${CONFIG_FILE}"
  if ! sudo -n "$AGENT_CTL" -a fetch-config -m ec2 -s -c "file:${CONFIG_FILE}"; then
    die "amazon-cloudwatch-agent-ctl could not load ${CONFIG_FILE} and start the agent; see /opt/aws/amazon-cloudwatch-agent/logs/amazon-cloudwatch-agent.log"
  fi
  log "agent started: metrics to namespace CWAgent every ${INTERVAL}s"
fi

log "done"
