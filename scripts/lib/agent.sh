# What an agent leaves outside its data dir, for scripts/uninstall and scripts/demo (bash).

# remove_agent_cgroups DATA_DIR: the empty cgroups of the agent that used DATA_DIR — its shims'
# and its containers', below <base>/shoal/<key>, where <key> is the first 12 hex digits of the
# sha256 of the data dir's absolute path (agentKey in agent/runtime/supervisor.ts): at the root of
# a cgroup v2 tree or of every v1 tree, or below the unit's own cgroup on v2 when systemd ran the
# agent in a subgroup of it (agent/README.md, "Cgroups").
# A cgroup that still holds a process stays (rmdir refuses it); a killed shim leaves its cgroup
# only once reaped, so each is tried for up to 5 s. Says which ones stayed.
remove_agent_cgroups() {
  local key cg
  key=$(printf %s "$1" | sha256sum | cut -c1-12)
  for cg in /sys/fs/cgroup/shoal/"$key" /sys/fs/cgroup/*/shoal/"$key" /sys/fs/cgroup/system.slice/shoal-agent.service/shoal/"$key"; do
    [ -d "$cg" ] || continue
    for _ in $(seq 50); do find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null && break; sleep 0.1; done
    [ ! -d "$cg" ] || echo "$(basename "$0"): could not remove cgroup $cg (a process is still in it)" >&2
  done
}
