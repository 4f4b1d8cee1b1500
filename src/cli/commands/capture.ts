import type { Command } from 'commander';
import type { CaptureOptions } from '../actions/capture.js';

/** `capture`: pcap from a range network's bridge or one host's NIC, to stdout or a file. */
export function registerCaptureCommands(program: Command): void {
  program
    .command('capture')
    .description('stream pcap from a range network (tcpdump inside the range namespace); pipe into `wireshark -k -i -`')
    .argument('<instance>')
    .argument('<network>')
    .option('--host <host>', "only this host's NIC on the network (its range-side link)")
    .option('--filter <bpf>', 'a BPF filter expression, e.g. "icmp or tcp port 80"')
    .option('-w, --write <file>', 'write the pcap here instead of stdout')
    .action(async (instance: string, network: string, o: CaptureOptions) =>
      (await import('../actions/capture.js')).capture(instance, network, o),
    );
}
