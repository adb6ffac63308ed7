import { setMaxListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { CallbackDelivery } from './callbacks';
import type { SimulatorAccount } from './constants';
import type { DeliveryMatch } from './options';
import { isSid } from './spec';

export function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new RangeError(`${name} must be 0 or more`);
  return result;
}

export function urlForAddress(address: AddressInfo): string {
  const host = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

export function toDeliveryPredicate(match: DeliveryMatch | undefined): (delivery: CallbackDelivery) => boolean {
  if (match === undefined) return () => true;
  if (typeof match === 'function') return match;
  return (delivery) =>
    (match.kind === undefined || delivery.kind === match.kind) &&
    (match.callSid === undefined || delivery.callSid === match.callSid) &&
    (match.recordingSid === undefined || delivery.recordingSid === match.recordingSid) &&
    (match.status === undefined || delivery.status === match.status);
}

/** The configured accounts by AccountSid, each checked. */
export function accountsById(accounts: ReadonlyArray<SimulatorAccount>): Map<string, SimulatorAccount> {
  if (accounts.length === 0) throw new RangeError('The simulator needs at least one account');
  const byAccountSid = new Map<string, SimulatorAccount>();
  for (const account of accounts) {
    if (!isSid('AC', account.accountSid)) throw new RangeError(`accountSid ${account.accountSid} must be "AC" followed by 32 hex digits`);
    if (typeof account.authToken !== 'string' || account.authToken === '') throw new RangeError('Every account needs an AuthToken');
    if (byAccountSid.has(account.accountSid)) throw new RangeError(`Account ${account.accountSid} is configured twice`);
    byAccountSid.set(account.accountSid, { accountSid: account.accountSid, authToken: account.authToken });
  }
  return byAccountSid;
}

/** Every request delayed by the latency fault waits on this one signal: no listener limit applies. */
export function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
