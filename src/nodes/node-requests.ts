import { types } from 'node:util';
import type { Node, NodeMessage } from 'node-red';
import { MAX_ANSWER_BYTES, TelApiError, TelApiInputError, isHttpUrl } from '../telapi';
import { accountProblem, type TelApiAccountNode } from './account-types';

/**
 * What the nodes that send TelAPI requests (record, recordings) share: their errors as a person reads
 * them, and what happens to requests under way when the node is closed.
 */

/** One message being handled: whether its request may have reached TelAPI, and how to cancel it. */
export interface RequestInFlight {
  controller: AbortController;
  /** True once a request was written out: cancelling it then may not undo what TelAPI did. */
  sent: boolean;
  /** True when TelAPI's last answer refused it (429/503) and a retry was pending: TelAPI did nothing. */
  refused?: boolean;
  settled: Promise<void>;
}

/** Texts from the node type's catalog: `<type>.errors.input.<reason>` and `<type>.errors.<kind>`. */
export interface ErrorTexts {
  input(reason: string, params: Record<string, string | number>): string;
  api(key: string, params: Record<string, string | number>): string;
}

/**
 * An Error for Catch nodes whose text comes from the node's catalog, with the fields a flow may test
 * (`field`/`reason`, or `kind`/`status`/`code`/`moreInfo`); undefined for errors of other kinds.
 */
export function translateTelApiError(error: unknown, texts: ErrorTexts): Error | undefined {
  if (error instanceof TelApiInputError) {
    const text = texts.input(error.reason, { field: error.field, ...error.params });
    return Object.assign(new Error(text), { name: 'TelApiInputError', field: error.field, reason: error.reason });
  }
  if (error instanceof TelApiError) {
    const params = {
      status: error.status ?? '',
      code: error.code ?? '',
      message: error.apiMessage ?? '',
      cause: error.causeCode ?? '',
      detail: error.message,
      attempts: error.attempts,
      limit: MAX_ANSWER_BYTES,
    };
    // error.kind, with 'http' split by whether TelAPI sent an error code, and 'invalid-response' by
    // whether an HTTP status belongs to it (a field of a good answer may be what is wrong).
    const key = error.kind === 'http' ? (error.code !== undefined ? 'httpWithCode' : 'http')
      : error.kind === 'invalid-response' && error.status === undefined ? 'invalidContent'
        : error.kind;
    return Object.assign(new Error(texts.api(key, params)), {
      name: 'TelApiError',
      kind: error.kind,
      status: error.status,
      code: error.code,
      moreInfo: error.moreInfo,
    });
  }
  return undefined;
}

/**
 * What was thrown, as an Error: an Error of any realm (a function node's sandbox has its own) as
 * it is, anything else as its text, also a value that cannot be turned into text (Object.create(null)).
 */
export function asError(thrown: unknown): Error {
  return types.isNativeError(thrown) ? thrown : new Error(textOf(thrown));
}

/** A value as text, also one that cannot be turned into text (its toString throws, or there is none). */
function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** The node's own properties named by `keys`; blank editor fields are left out, so they fall back to the defaults. */
export function filledProperties(config: object, keys: readonly string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && value !== '') properties[key] = value;
  }
  return properties;
}

/**
 * A node's options, parsed at deploy, and what keeps it from working at all: a missing or incomplete
 * account, then a base URL that is not http(s), then options that do not parse. `text` reads
 * `<type>.errors.<key>` from the node's catalog.
 */
export function readConfiguration<T>(
  account: TelApiAccountNode | null,
  parse: () => T,
  fallback: T,
  text: (key: string) => string,
  translate: (error: unknown) => Error,
): { options: T; error: Error | undefined } {
  let options = fallback;
  let error: Error | undefined;
  try {
    options = parse();
  } catch (parseError) {
    error = translate(parseError);
  }
  const problem = accountProblem(account);
  if (problem) error = new Error(text(problem));
  else if (account && !isHttpUrl(account.baseUrl)) error = new Error(text('invalidBaseUrl'));
  return { options, error };
}

/** Node-RED stops waiting for a node's close after `nodeCloseTimeout` (15 s unless set). */
const DEFAULT_NODE_CLOSE_TIMEOUT_MS = 15_000;
/** What is left of the close timeout to cancel and log what TelAPI did not answer. */
const CLOSE_MARGIN_MS = 1_000;

/** How long Node-RED waits for a node to close: the `nodeCloseTimeout` setting, or its default. */
export function nodeCloseTimeoutMs(settings: Record<string, unknown>): number {
  const configured = Number(settings.nodeCloseTimeout);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_NODE_CLOSE_TIMEOUT_MS;
}

function closeWaitMs(settings: Record<string, unknown>): number {
  return Math.max(0, nodeCloseTimeoutMs(settings) - CLOSE_MARGIN_MS);
}

/**
 * On close: what TelAPI may already have acted on is waited for (its answer is what the node logs);
 * what was not sent yet is cancelled. What is still open just before Node-RED's close timeout is
 * cancelled too. `done` once every request has settled.
 */
export function settleOnClose(inFlight: ReadonlySet<RequestInFlight>, settings: Record<string, unknown>, done: () => void): void {
  for (const request of inFlight) if (!request.sent) request.controller.abort();
  const deadline = setTimeout(() => {
    for (const request of inFlight) request.controller.abort();
  }, closeWaitMs(settings));
  void Promise.allSettled([...inFlight].map((request) => request.settled)).then(() => {
    clearTimeout(deadline);
    done();
  });
}

/** Error texts are cut after this many characters: TelAPI's error message may be up to an answer long. */
export const MAX_ERROR_TEXT_LENGTH = 1000;

/**
 * The same error with the account's secrets masked in its text (TelAPI may echo them), then cut to
 * MAX_ERROR_TEXT_LENGTH (in that order, so a cut cannot leave half a secret unmasked).
 */
export function redactedError(error: Error, account: TelApiAccountNode | null): Error {
  // An error thrown in a flow may carry anything as its message.
  const message = typeof error.message === 'string' ? error.message : textOf(error.message);
  const text = account ? account.redactor.text(message) : message;
  error.message = shorten(text, MAX_ERROR_TEXT_LENGTH);
  return error;
}

/**
 * Makes `msg` safe to hand to done(err): Catch nodes receive a clone of it, and a clone that throws
 * there is uncaught (Node-RED exits). If it cannot be cloned, the fields this node set go, then
 * everything but the message id. False when even that leaves it uncloneable: a property that cannot
 * be deleted (a getter defined without `configurable`), or a Proxy that throws from its traps.
 */
export function cloneableForCatch<T extends NodeMessage>(msg: T, outputKeys: readonly string[], clone: (msg: T) => unknown): boolean {
  const fields = msg as Record<string, unknown>;
  const cloneable = (): boolean => {
    try {
      clone(msg);
      return true;
    } catch {
      return false;
    }
  };
  if (cloneable()) return true;
  try {
    // Reflect.deleteProperty returns false where `delete` throws (strict mode, non-configurable).
    for (const key of outputKeys) Reflect.deleteProperty(fields, key);
    if (cloneable()) return true;
    for (const key of Object.keys(fields)) if (key !== '_msgid') Reflect.deleteProperty(fields, key);
  } catch {
    return false;
  }
  return cloneable();
}

/**
 * Ends a message with `error` for Catch nodes (done(err)), the message made cloneable first. One
 * that cannot be made so is reported with a message of its own id instead, and not handed to
 * done: Node-RED would clone it for Catch or Complete nodes, and an exception there ends the process.
 */
export function endWithError<T extends NodeMessage>(
  node: Pick<Node, 'error'>,
  msg: T,
  error: Error,
  done: (error?: Error) => void,
  outputKeys: readonly string[],
  clone: (msg: T) => unknown,
): void {
  if (cloneableForCatch(msg, outputKeys, clone)) {
    done(error);
    return;
  }
  let id: unknown;
  try {
    id = msg._msgid;
  } catch {
    id = undefined;
  }
  node.error(error, typeof id === 'string' ? { _msgid: id } : {});
}

/** The client's delivery callbacks that keep `request.sent` and `request.refused` true to what TelAPI has. */
export function deliveryOf(request: RequestInFlight): { onSent: () => void; onRefused: () => void } {
  return {
    onSent: () => {
      request.sent = true;
      request.refused = false;
    },
    onRefused: () => {
      request.sent = false;
      request.refused = true;
    },
  };
}

/** A status text short enough for the badge under a node. */
export function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
