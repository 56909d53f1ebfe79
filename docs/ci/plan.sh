#!/usr/bin/env bash
# Plan a change to agent states: run a playbook in check mode with --diff and say, through the
# exit code, whether anything would change. Nothing is sent to wolkvox but reads: the modules of
# wolkvox.contact_center send no change in check mode and predict exactly what a real run does.
#
#   docs/ci/plan.sh PLAYBOOK [ansible-playbook arguments...]
#
# Exit codes (as `terraform plan -detailed-exitcode`):
#   0  nothing would change
#   2  something would change: the diff of each agent is in the output
#   1  the plan itself failed (a task failed, a host was unreachable, bad arguments)
#
# Environment:
#   PLAN_LOG       file that receives the whole output, for a CI artifact (default: plan.log)
#   ANSIBLE_PLAYBOOK  the ansible-playbook command (default: ansible-playbook)
#
# How: ansible-playbook --check --diff with the default output, then the PLAY RECAP is read and
# the changed= counts of every host are added up. Only tasks that are honest in check mode count:
# a task that cannot predict (a command or shell task, say) must set `changed_when` or
# `check_mode: false` in a playbook used for planning.
set -uo pipefail

if [ $# -lt 1 ]; then
  sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 1
fi
log="${PLAN_LOG:-plan.log}"
playbook_cmd="${ANSIBLE_PLAYBOOK:-ansible-playbook}"

# The default output has the PLAY RECAP this script reads, whatever ansible.cfg chooses.
export ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
export ANSIBLE_DISPLAY_SKIPPED_HOSTS="${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-false}"

$playbook_cmd --check --diff "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}

if [ "$rc" -ne 0 ]; then
  echo "plan: FAILED (ansible-playbook exited with $rc); see $log" >&2
  exit 1
fi
# Recap lines look like: "host : ok=2 changed=1 unreachable=0 failed=0 skipped=0 rescued=0 ignored=0"
recap="$(sed -n '/^PLAY RECAP/,$p' "$log" | grep -E '^[^ ].* : ok=[0-9]+ +changed=[0-9]+' || true)"
if [ -z "$recap" ]; then
  echo "plan: FAILED (no PLAY RECAP in the output); see $log" >&2
  exit 1
fi
changed="$(printf '%s\n' "$recap" | sed -E 's/.* changed=([0-9]+).*/\1/' | awk '{ n += $1 } END { print n + 0 }')"
hosts="$(printf '%s\n' "$recap" | grep -cE 'changed=[1-9]')"
if [ "$changed" -gt 0 ]; then
  echo "plan: CHANGES PENDING ($changed changed task(s) on $hosts host(s)); see the diff above" >&2
  exit 2
fi
echo "plan: NO CHANGES" >&2
exit 0
