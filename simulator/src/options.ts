import type { AudioLibraryOptions } from './audio';
import type { CallbackDelivery, CallbackKind, DeliveryStatus } from './callbacks';
import type { ApiVersion, CallSpec, SimulatorAccount } from './constants';
import type { FaultOptions } from './faults';
import type { SimulatorLogger } from './logger';
import type { PhoneOptions } from './phone-page';
import type { FileFormat } from './spec';

export interface TelApiSimulatorOptions {
  /** Accounts that may log in; default: the demo account only. */
  accounts?: ReadonlyArray<SimulatorAccount>;
  /** Live calls created at start (and on `reset()`), on the first account; `false` for none. */
  demoCalls?: ReadonlyArray<CallSpec> | false;
  /** Root of the URLs the simulator hands out (recording_url); default: the address it listens on. */
  publicUrl?: string;
  /**
   * Host name for the recording_url of media (e.g. 'localhost' while the API is at 127.0.0.1): the
   * same server under another origin, as TelAPI keeps recordings on a storage host. Ignored when
   * `publicUrl` is given.
   */
  mediaHostName?: string;
  /** Real time per simulated time: 0.001 makes a 60 s TimeLimit end after 60 ms. Default 1. */
  timeScale?: number;
  /**
   * Certificate authorities (PEM) to trust when calling back over HTTPS, besides the system's: for a
   * receiver behind a proxy with a self-signed certificate.
   */
  ca?: string | Buffer;
  /** Call back over HTTPS without checking the certificate at all. Default false. */
  insecure?: boolean;
  /** Send X-TelAPI-Signature with every callback. Default false (TelAPI does not sign). */
  signCallbacks?: boolean;
  /** Real milliseconds between a recording's end and its callback. Default 0. */
  callbackDelayMs?: number;
  /** Real milliseconds between the recording callback and the finished transcription. Default 0. */
  transcriptionDelayMs?: number;
  /** Attempts per callback in all. Default 3. */
  callbackMaxAttempts?: number;
  /** Wait before the first retry; doubles each time. Default 1000. */
  callbackRetryBaseMs?: number;
  /** Per callback attempt. Default 10000. */
  callbackTimeoutMs?: number;
  /** Real milliseconds a voice URL (or an action, a redirect) has to answer; then the call ends with an error. Default 15000. */
  voiceTimeoutMs?: number;
  /** Larger request bodies get 413. Default 64 KiB. */
  maxBodyBytes?: number;
  /** How many received requests `requests()` keeps. Default 1000. */
  maxRecordedRequests?: number;
  faults?: FaultOptions;
  /** Default: silent. */
  logger?: SimulatorLogger;
  /** The clock for dates (date_created, DateCreated filters); timers always use real time. */
  now?: () => Date;
  audio?: AudioLibraryOptions;
  /**
   * Serve the browser phone at `GET /phone` (simulator/README.md, "The phone page"): `true`, or its voice URL
   * and number. Default off.
   */
  phone?: boolean | PhoneOptions;
}

export interface ListeningAddress {
  port: number;
  /** The root URL, e.g. http://127.0.0.1:8089; API bases are `${url}/v1` and `${url}/v2`. */
  url: string;
}

export type DeliveryMatch =
  | ((delivery: CallbackDelivery) => boolean)
  | { kind?: CallbackKind; callSid?: string; recordingSid?: string; status?: DeliveryStatus };

/** `seedRecordings()` and `POST /_simulator/recordings`. */
export interface RecordingSeed {
  count: number;
  /** Default: the first configured account (or the call's). */
  accountSid?: string;
  /** An existing call; default: a new completed inbound call. */
  callSid?: string;
  from?: Date;
  to?: Date;
  /** Seconds; default 5. */
  duration?: number;
  fileFormat?: FileFormat;
  /** The prefix the recordings were made under; default v2. */
  apiVersion?: ApiVersion;
}
