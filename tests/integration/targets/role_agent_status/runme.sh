#!/usr/bin/env bash
# The role wolkvox.contact_center.agent_status as users run it: ansible-playbook on an inventory
# with one host per operation, applied, then re-run converged. What it prints (one summary line
# per operation, the PLAY RECAP) is part of what is checked, hence a script target.
set -eux -o pipefail

export ANSIBLE_ROLES_PATH=..  # setup_simulator, copied next to this target (needs/target/ in aliases)

# ansible-test's output directory for this run (OUTPUT_DIR) holds what the runs write.
work="${OUTPUT_DIR:?run this target with ansible-test integration}"

# One simulator for both runs: start.yml starts it, writes operations.yml (the inventory) and
# simulator.json (its URL, process and job), and stop.yml stops it whatever happens.
ansible-playbook -i "$INVENTORY_PATH" -e "role_agent_status_dir=$work" start.yml "$@"
trap 'ansible-playbook -i "$INVENTORY_PATH" -e "@$work/simulator.json" stop.yml "$@"' EXIT

# The summary line of OPERATION in LOG holds "N changed".
summary_has() {
  grep -E "\"msg\": \"$2 \(server [0-9]+\): " "$1" | grep -qE "(^|[^0-9])$3 changed" \
    || { echo "no summary line of $2 with $3 changed in $1" >&2; exit 1; }
}
# The PLAY RECAP line of HOST in LOG says changed=N failed=0.
recap_has() {
  grep -E "^$2 +: " "$1" | grep -E " changed=$3 " | grep -qE " failed=0 " \
    || { echo "the PLAY RECAP of $1 does not say changed=$3 failed=0 for $2" >&2; exit 1; }
}

ansible-playbook -i "$work/operations.yml" apply.yml "$@" | tee "$work/first.log"
summary_has "$work/first.log" bogota_sales 2
summary_has "$work/first.log" medellin_collections 1
recap_has "$work/first.log" bogota_sales 1
recap_has "$work/first.log" medellin_collections 1
ansible-playbook -i "$INVENTORY_PATH" -e "@$work/simulator.json" -e role_agent_status_run=first verify.yml "$@"

ansible-playbook -i "$work/operations.yml" apply.yml "$@" | tee "$work/again.log"
summary_has "$work/again.log" bogota_sales 0
summary_has "$work/again.log" medellin_collections 0
recap_has "$work/again.log" bogota_sales 0
recap_has "$work/again.log" medellin_collections 0
ansible-playbook -i "$INVENTORY_PATH" -e "@$work/simulator.json" -e role_agent_status_run=again verify.yml "$@"
