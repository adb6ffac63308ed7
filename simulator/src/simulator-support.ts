import { setMaxListeners } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackDelivery } from './callbacks';
import { DEMO_ACCOUNT, DEMO_CALLS, type CallSpec, type SimulatorAccount } from './constants';
import { SILENT_LOGGER, type SimulatorLogger } from './logger';
import type { DeliveryMatch, ListeningAddress, TelApiSimulatorOptions } from './options';
import { isSid } from './spec';

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The simulator's options, checked, with their defaults. */
export interface SimulatorSettings {
  accounts: ReadonlyMap<string, SimulatorAccount>;
  timeScale: number;
  signCallbacks: boolean;
  callbackDelayMs: number;
  transcriptionDelayMs: number;
  maxBodyBytes: number;
  publicUrl: string | undefined;
  mediaHostName: string | undefined;
  logger: SimulatorLogger;
  now: () => Date;
  demoCalls: ReadonlyArray<CallSpec>;
}

export function simulatorSettings(options: TelApiSimulatorOptions): SimulatorSettings {
  const timeScale = options.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0) throw new RangeError('timeScale must be greater than 0');
  return {
    accounts: accountsById(options.accounts ?? [DEMO_ACCOUNT]),
    timeScale,
    signCallbacks: options.signCallbacks ?? false,
    callbackDelayMs: nonNegative('callbackDelayMs', options.callbackDelayMs, 0),
    transcriptionDelayMs: nonNegative('transcriptionDelayMs', options.transcriptionDelayMs, 0),
    maxBodyBytes: nonNegative('maxBodyBytes', options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
    publicUrl: options.publicUrl?.trim().replace(/\/+$/, '') || undefined,
    mediaHostName: options.mediaHostName?.trim() || undefined,
    logger: options.logger ?? SILENT_LOGGER,
    now: options.now ?? (() => new Date()),
    demoCalls: options.demoCalls === false ? [] : (options.demoCalls ?? DEMO_CALLS),
  };
}

export function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const result = value ?? fallback;
  if (!Number.isFinite(result) || result < 0) throw new RangeError(`${name} must be 0 or more`);
  return result;
}

/** Starts `server` listening; its later errors are logged. */
export function listenOn(server: Server, port: number, host: string, logger: SimulatorLogger): Promise<ListeningAddress> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      server.on('error', (error) => logger.error(`server error: ${error.message}`));
      const address = server.address() as AddressInfo;
      const listening = { port: address.port, url: urlForAddress(address) };
      logger.debug(`listening on ${listening.url}`);
      resolve(listening);
    });
  });
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
