/**
 * libvirt's sanlock lock driver and the part of its QEMU driver that jvirsh needs
 * (spec: vm-leases.md; acceptance story: scenario.md).
 *
 * <h2>Layout</h2>
 * <ul>
 * <li>{@code config}: libvirt's .conf syntax and the {@code qemu-sanlock.conf} keys, types,
 * defaults and messages;</li>
 * <li>{@code domain}: the domain XML jvirsh models and the guest's command line;</li>
 * <li>{@code lock}: the lock driver proper (automatic lockspace and per-disk leases, manual
 * {@code <lease>}s, pre-exec checks, acquire on behalf of the guest pid) over a narrow
 * {@link io.jsanlock.vm.lock.LeaseDaemon} interface, implemented with jsanlock's client
 * library;</li>
 * <li>{@code guest}: the guest launcher and process identity;</li>
 * <li>{@code state}: one host's state directory;</li>
 * <li>{@link io.jsanlock.vm.QemuDriver}: define/start/destroy/suspend/resume with the lock calls
 * where libvirt makes them; {@code cli}: {@code bin/jvirsh}.</li>
 * </ul>
 *
 * <h2>Decisions</h2>
 * <ul>
 * <li><b>The guest process is the lease holder.</b> sanlock ties leases to the pid of the
 * process that opened the registered connection (SO_PEERCRED) and frees them when that
 * connection closes. A supervisor holding the registration would free the leases when it
 * died while the guest kept running, and would only notice a killed guest after a delay.
 * So, like libvirt's pre-exec child, the {@link io.jsanlock.vm.guest.GuestLauncher} registers
 * itself, registers the killpath, restricts the connection, and waits while jvirsh acquires
 * every lease in one request for its pid; then it execs the guest program, which keeps the
 * pid and inherits the registered socket. kill -9 of the guest closes the socket and the
 * daemon releases at once; there is nothing else whose death could release it.</li>
 * <li><b>Messages follow the scenario's libvirt 2.0</b> where they differ (vm-leases.md §8):
 * {@code resource busy: Failed to acquire lock: error -243}, virsh without quotes, a failed
 * automatic lockspace set-up is fatal for every command; config type errors use the current
 * wording; {@code <lockspace>} is required in {@code <lease>}.</li>
 * <li><b>Every jvirsh command starts the driver</b> (reads the config, sets up and joins the
 * automatic lockspace, EEXIST = already joined), as libvirtd does at start; a failure is the
 * "refuses to start" of scenario part 1.</li>
 * <li><b>on_lockfailure</b> poweroff/pause run through sanlock's killpath: the daemon runs
 * {@code jvirsh lockfailure-helper STATE_DIR UUID ACTION} once at recovery, which destroys the
 * guest, or stops it and releases its leases (so sanlock stops escalating). restart/ignore
 * are refused before exec as sanlock-unsupported.</li>
 * </ul>
 *
 * <h2>Not implemented</h2>
 * Hot-plug ({@code attach-device}), migration and its lock state, {@code start --paused},
 * {@code virt-sanlock-cleanup}, and the V-current message variants.
 */
package io.jsanlock.vm;
