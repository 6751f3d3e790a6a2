// Global setup of the integration and e2e suites: they create namespaces, links, mounts and
// iptables rules, so they need root. Refuse loudly rather than skip silently.
export default function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('this suite needs root (it creates network namespaces, links, mounts and iptables rules): run it as root, as CI does');
  }
}
