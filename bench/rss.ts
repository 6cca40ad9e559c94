import { readFileSync } from 'node:fs';

/**
 * This process's peak resident set in MB. Linux carries `getrusage`'s maxRSS across execve, and
 * Node spawns children with vfork, so a child's `process.resourceUsage().maxRSS` starts at its
 * parent's peak (the bench parent holding MNIST pixels reported 300+ MB for a 240 MB UMAP run).
 * /proc/self/status's VmHWM belongs to the address space the child got at exec: its own peak.
 */
export function peakRssMB(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // No procfs (macOS): maxRSS, inherited peak and all, is the best left.
  }
  return process.resourceUsage().maxRSS / 1024;
}
