// Shoal's default seccomp profile as data: the syscalls a container may make, with the same
// effect as Docker's default profile (an allow-list; everything else fails with EPERM). Written
// from the facts of which syscalls Docker allows and under which conditions; seccomp.ts turns it
// into the `linux.seccomp` of one container for its capabilities and the host's architecture.
// Why each group is denied or conditional: agent/oci/SECCOMP.md.

import type { SeccompArg, SeccompRule, SeccompTemplate } from './seccomp.js';

const EPERM = 1;
const ENOSYS = 38;

/** clone(2) flags that make new namespaces. */
export const CLONE_NEWNS = 0x0002_0000;
export const CLONE_NEWCGROUP = 0x0200_0000;
export const CLONE_NEWUTS = 0x0400_0000;
export const CLONE_NEWIPC = 0x0800_0000;
export const CLONE_NEWUSER = 0x1000_0000;
export const CLONE_NEWPID = 0x2000_0000;
export const CLONE_NEWNET = 0x4000_0000;
export const CLONE_NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

/** socket(2) families a container may not open: AF_VSOCK reaches the hypervisor's host. */
export const AF_VSOCK = 40;

/**
 * personality(2) values a container may set: PER_LINUX (0), PER_LINUX32 (8, what `linux32`
 * sets), UNAME26 (0x20000) with either, and 0xffffffff, which only reads the current value.
 * Others (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...) weaken the process's own defences.
 */
export const PERSONALITY_ALLOWED: readonly number[] = [0x0, 0x8, 0x2_0000, 0x2_0008, 0xffff_ffff];

/**
 * Allowed to every container on every architecture, whatever its capabilities. The kernel still
 * checks its own permissions on each (chown needs CAP_CHOWN, ...); what is left out is attack
 * surface a container has no use for. Names an architecture does not have are skipped by runc
 * (chown32 exists on 32-bit x86 and arm only, epoll_ctl_old on x86_64 only).
 */
export const ALLOWED_ALWAYS: readonly string[] = [
  'accept', 'accept4', 'access', 'adjtimex', 'alarm', 'bind', 'brk', 'cachestat', 'capget', 'capset', 'chdir', 'chmod', 'chown', 'chown32',
  'clock_adjtime', 'clock_adjtime64', 'clock_getres', 'clock_getres_time64', 'clock_gettime', 'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64',
  'close', 'close_range', 'connect', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',
  'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old', 'eventfd', 'eventfd2',
  'execve', 'execveat', 'exit', 'exit_group', 'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fanotify_mark',
  'fchdir', 'fchmod', 'fchmodat', 'fchmodat2', 'fchown', 'fchown32', 'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'fgetxattr', 'flistxattr', 'flock', 'fork',
  'fremovexattr', 'fsetxattr', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync', 'ftruncate', 'ftruncate64',
  'futex', 'futex_requeue', 'futex_time64', 'futex_wait', 'futex_waitv', 'futex_wake', 'futimesat',
  'get_robust_list', 'get_thread_area', 'getcpu', 'getcwd', 'getdents', 'getdents64', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32',
  'getgroups', 'getgroups32', 'getitimer', 'getpeername', 'getpgid', 'getpgrp', 'getpid', 'getppid', 'getpriority', 'getrandom',
  'getresgid', 'getresgid32', 'getresuid', 'getresuid32', 'getrlimit', 'getrusage', 'getsid', 'getsockname', 'getsockopt', 'gettid', 'gettimeofday',
  'getuid', 'getuid32', 'getxattr', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch',
  'io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_setup', 'io_submit', 'ioctl', 'ioprio_get', 'ioprio_set', 'ipc',
  'kill', 'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self', 'lchown', 'lchown32', 'lgetxattr', 'link', 'linkat', 'listen',
  'listxattr', 'llistxattr', '_llseek', 'lremovexattr', 'lseek', 'lsetxattr', 'lstat', 'lstat64',
  'madvise', 'map_shadow_stack', 'membarrier', 'memfd_create', 'mincore', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'mlock', 'mlock2', 'mlockall',
  'mmap', 'mmap2', 'mprotect', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend', 'mq_timedsend_time64', 'mq_unlink',
  'mremap', 'mseal', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'msync', 'munlock', 'munlockall', 'munmap',
  'name_to_handle_at', 'nanosleep', 'newfstatat', '_newselect', 'open', 'openat', 'openat2', 'pause', 'pidfd_open', 'pidfd_send_signal', 'pipe', 'pipe2',
  'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'poll', 'ppoll', 'ppoll_time64', 'prctl', 'pread64', 'preadv', 'preadv2', 'prlimit64', 'process_mrelease',
  'pselect6', 'pselect6_time64', 'pwrite64', 'pwritev', 'pwritev2',
  'read', 'readahead', 'readlink', 'readlinkat', 'readv', 'recv', 'recvfrom', 'recvmmsg', 'recvmmsg_time64', 'recvmsg', 'remap_file_pages', 'removexattr',
  'rename', 'renameat', 'renameat2', 'restart_syscall', 'rmdir', 'rseq',
  'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn', 'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo',
  'sched_get_priority_max', 'sched_get_priority_min', 'sched_getaffinity', 'sched_getattr', 'sched_getparam', 'sched_getscheduler',
  'sched_rr_get_interval', 'sched_rr_get_interval_time64', 'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield',
  'seccomp', 'select', 'semctl', 'semget', 'semop', 'semtimedop', 'semtimedop_time64', 'send', 'sendfile', 'sendfile64', 'sendmmsg', 'sendmsg', 'sendto',
  'set_robust_list', 'set_thread_area', 'set_tid_address', 'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups', 'setgroups32',
  'setitimer', 'setpgid', 'setpriority', 'setregid', 'setregid32', 'setresgid', 'setresgid32', 'setresuid', 'setresuid32', 'setreuid', 'setreuid32',
  'setrlimit', 'setsid', 'setsockopt', 'setuid', 'setuid32', 'setxattr', 'shmat', 'shmctl', 'shmdt', 'shmget', 'shutdown', 'sigaltstack',
  'signalfd', 'signalfd4', 'sigprocmask', 'sigreturn', 'socketcall', 'socketpair', 'splice', 'stat', 'stat64', 'statfs', 'statfs64', 'statx',
  'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'sysinfo', 'tee', 'tgkill', 'time',
  'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64', 'timer_settime', 'timer_settime64',
  'timerfd_create', 'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64', 'times', 'tkill', 'truncate', 'truncate64',
  'ugetrlimit', 'umask', 'uname', 'unlink', 'unlinkat', 'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vfork', 'vmsplice',
  'wait4', 'waitid', 'waitpid', 'write', 'writev',
];

/**
 * Tracing one's own processes (strace, gdb inside the container): allowed from Linux 4.8 on, as
 * Docker does. Before 4.8 a tracer could change a traced process's syscall after the seccomp
 * check, which goes around the filter, so there only CAP_SYS_PTRACE brings them back. A kernel
 * whose version cannot be read counts as older (seccomp.ts, kernelVersion).
 */
export const TRACING: readonly string[] = ['ptrace', 'process_vm_readv', 'process_vm_writev'];
export const TRACING_MIN_KERNEL = '4.8';

/** Allowed only on one architecture family: the names exist nowhere else. */
export const ALLOWED_BY_ARCH: Readonly<Record<'amd64' | 'arm64' | 's390x', readonly string[]>> = {
  amd64: ['arch_prctl', 'modify_ldt'],
  arm64: ['arm_fadvise64_64', 'arm_sync_file_range', 'sync_file_range2', 'breakpoint', 'cacheflush', 'set_tls'],
  s390x: ['s390_pci_mmio_read', 's390_pci_mmio_write', 's390_runtime_instr'],
};

/**
 * The s390 family in Go's names (s390x and its 31-bit s390). Its clone(2) takes the new stack
 * first and the flags second (the kernel's CLONE_BACKWARDS2); everywhere else the flags are
 * argument 0.
 */
const S390: readonly string[] = ['s390', 's390x'];

/**
 * Allowed only when the container holds the capability: the kernel would refuse most of them
 * without it anyway, and with the capability removed from the filter a kernel bug behind them
 * cannot be reached. A container given the capability (--cap-add, later) gets the syscalls.
 */
export const ALLOWED_BY_CAPABILITY: Readonly<Record<string, readonly string[]>> = {
  CAP_SYS_ADMIN: [
    'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount', 'mount_setattr', 'move_mount',
    'open_tree', 'perf_event_open', 'pivot_root', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syscall', 'umount', 'umount2', 'unshare',
  ],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_MODULE: ['delete_module', 'finit_module', 'init_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'userfaultfd', ...TRACING],
  CAP_SYS_RAWIO: ['ioperm', 'iopl'],
  CAP_SYS_TIME: ['clock_settime', 'clock_settime64', 'settimeofday', 'stime'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  CAP_SYSLOG: ['syslog'],
};

const allow = (names: readonly string[], more: Omit<SeccompRule, 'names' | 'action'> = {}): SeccompRule => ({ names: [...names], action: 'SCMP_ACT_ALLOW', ...more });

/** clone's argument `index` (its flags) has no namespace flag set. */
const cloneFlagsClear = (index: number): SeccompArg => ({ index, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' });

function argumentRules(): SeccompRule[] {
  return [
    // Every socket family but AF_VSOCK. (32-bit x86 programs reach socket through socketcall,
    // whose arguments sit behind a pointer that seccomp cannot read: there the family is free.)
    allow(['socket'], { args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] }),
    ...PERSONALITY_ALLOWED.map((value) => allow(['personality'], { args: [{ index: 0, value, op: 'SCMP_CMP_EQ' }] })),
    // Without CAP_SYS_ADMIN: threads and processes, but no new namespace. The flags are clone's
    // argument 0, or argument 1 on s390x (checking argument 0 there would judge the stack
    // pointer and let every namespace flag through).
    allow(['clone'], { args: [cloneFlagsClear(0)], excludes: { caps: ['CAP_SYS_ADMIN'], arches: [...S390] } }),
    allow(['clone'], { args: [cloneFlagsClear(1)], includes: { arches: [...S390] }, excludes: { caps: ['CAP_SYS_ADMIN'] } }),
    // clone3 passes its flags in a struct seccomp cannot read: ENOSYS makes glibc and musl fall
    // back to clone, whose flags the rule above checks. EPERM would be taken as a real refusal.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS, excludes: { caps: ['CAP_SYS_ADMIN'] } },
  ];
}

/** The default profile, before it is fitted to one container's capabilities and the host. */
export function defaultSeccompTemplate(): SeccompTemplate {
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    archMap: [
      { architecture: 'SCMP_ARCH_X86_64', subArchitectures: ['SCMP_ARCH_X86', 'SCMP_ARCH_X32'] },
      { architecture: 'SCMP_ARCH_AARCH64', subArchitectures: ['SCMP_ARCH_ARM'] },
      { architecture: 'SCMP_ARCH_S390X', subArchitectures: ['SCMP_ARCH_S390'] },
    ],
    syscalls: [
      allow(ALLOWED_ALWAYS),
      allow(TRACING, { includes: { minKernel: TRACING_MIN_KERNEL } }),
      ...argumentRules(),
      allow(ALLOWED_BY_ARCH.amd64, { includes: { arches: ['amd64'] } }),
      allow(ALLOWED_BY_ARCH.arm64, { includes: { arches: ['arm64'] } }),
      allow(ALLOWED_BY_ARCH.s390x, { includes: { arches: [...S390] } }),
      ...Object.entries(ALLOWED_BY_CAPABILITY).map(([cap, names]) => allow(names, { includes: { caps: [cap] } })),
    ],
  };
}
