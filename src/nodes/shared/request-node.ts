import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { TelApiInputError, isHttpUrl, type Delivery } from '../../telapi';
import { accountProblem, isUsable, type TelApiAccountNode, type UsableAccount } from './account';
import { localizedError, textOf } from './errors';
import { nodeCloseTimeoutMs, settingsOf, type Settings } from './settings';

/**
 * The base of every node that sends TelAPI requests (record, recordings, call). A node type supplies
 * what is its own: how its properties become options (`parse`), what would fail every message, shown
 * at deploy (`check`), how a message becomes a request (`read`), and the request itself (`run`). The
 * base does the rest the same way for all of them: the account, one message at a time with send and
 * done, the status badge, errors in the user's language to Catch with nothing secret in them, and
 * what happens to requests under way when the node is closed.
 *
 * Each node type's catalog holds `errors.*` (see errors.ts), `errors.noAccount` and the other
 * account problems, `errors.invalidBaseUrl`, `describe.<key>` (a request, for the log) and
 * `warn.closed.{done,failed,refused,cancelled}`.
 */
export interface RequestNodeType<Options, Input, Msg extends NodeMessageInFlow = NodeMessageInFlow> {
  /** The node type, e.g. `telapi-record`. */
  readonly type: string;
  /** The node properties that are options; a blank one falls back to `defaults`. */
  readonly properties: readonly string[];
  readonly defaults: Readonly<Options>;
  /** What the node sets on a message (dropped again if they keep it from reaching Catch). */
  readonly outputKeys: readonly string[];
  /** Options from the node's properties; a TelApiInputError fails every message. */
  parse(properties: Readonly<Record<string, unknown>>): Options;
  /** At deploy: a problem with the options under this account that would fail messages, if any. */
  check(options: Readonly<Options>, account: UsableAccount): TelApiInputError | undefined;
  /** One message, checked before anything is sent (a TelApiInputError otherwise). */
  read(msg: Msg, options: Readonly<Options>, account: UsableAccount): Request<Input>;
  /** The requests of one message: sets the fields it outputs on `msg` and says what it did. */
  run(input: Input, msg: Msg, context: RunContext): Promise<Outcome>;
  /** Node settings the type exports to the editor (RED.nodes.registerType's `settings`). */
  readonly settings?: Record<string, { value: unknown; exportable: boolean }>;
}

/** A message made ready to send. */
export interface Request<Input> {
  input: Input;
  /** The status while it runs. */
  working: string;
  /** `describe.<key>` of the node's catalog with `params`: the request as the log names it. */
  describe: { key: string; params: Record<string, string> };
  /** Whether it changes something at TelAPI: then a close waits for what TelAPI may have received. */
  changes: boolean;
}

export interface RunContext {
  account: UsableAccount;
  signal: AbortSignal;
  /** For the client: keeps track of whether TelAPI may have this message's request. */
  delivery: Required<Delivery>;
  settings: Settings;
}

export interface Outcome {
  /** The green status. */
  status: string;
  /**
   * What TelAPI did, as the log says it when the node was closed meanwhile: a function, so that the
   * catalog is read only then and not for every message (bench/README.md, "Changes the profile led to").
   */
  result: () => string;
}

/** One message being handled. */
interface InFlight {
  controller: AbortController;
  /** True once a request was written out: cancelling it then may not undo what TelAPI did. */
  sent: boolean;
  /** True when TelAPI's last answer refused it (429/503) and a retry was pending: TelAPI did nothing. */
  refused: boolean;
  /** Known once the message was read. */
  request: Request<unknown> | undefined;
  settled: Promise<void>;
}

type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;
type Done = (error?: Error) => void;

/** What is left of Node-RED's close timeout to cancel and log what TelAPI did not answer. */
const CLOSE_MARGIN_MS = 1_000;

interface RequestNodeDef extends NodeDef {
  account?: string;
}

export function registerRequestNode<Options, Input, Msg extends NodeMessageInFlow>(RED: NodeAPI, type: RequestNodeType<Options, Input, Msg>): void {
  const settings = settingsOf(RED);
  const text = (key: string, params?: Record<string, string | number>): string => RED._(`${type.type}.${key}`, params);

  function RequestNode(this: Node, config: RequestNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const account = config.account ? (RED.nodes.getNode(config.account) as TelApiAccountNode | null) : null;
    const inFlight = new Set<InFlight>();
    /** Set on close: outcomes from then on may no longer reach the flow, so they are logged. */
    let closing = false;

    const readable = (error: unknown): Error => readableError(RED, type.type, error, account);
    const showError = (error: Error): void => node.status({ fill: 'red', shape: 'ring', text: shorten(error.message) });

    let options: Options = { ...type.defaults };
    let configError: Error | undefined;
    try {
      options = type.parse(filledProperties(config, type.properties));
    } catch (error) {
      configError = readable(error);
    }
    const problem = accountProblem(account);
    if (problem) configError = new Error(text(`errors.${problem}`));
    else if (account && !isHttpUrl(account.baseUrl)) configError = new Error(text('errors.invalidBaseUrl'));
    if (configError) {
      showError(configError);
    } else if (isUsable(account)) {
      // Messages are still tried: a message may override what the check found wrong.
      const warning = type.check(options, account);
      if (warning) {
        const readableWarning = readable(warning);
        showError(readableWarning);
        node.warn(readableWarning.message);
      }
    }

    async function handle(msg: Msg, send: Send, message: InFlight): Promise<void> {
      if (configError) throw configError;
      if (!isUsable(account)) throw new Error(text('errors.noAccount'));
      const request = type.read(msg, options, account);
      message.request = request;
      node.status({ fill: 'blue', shape: 'dot', text: shorten(request.working) });
      const delivery = {
        onSent: () => {
          message.sent = true;
          message.refused = false;
        },
        onRefused: () => {
          message.sent = false;
          message.refused = true;
        },
      };
      const outcome = await type.run(request.input, msg, { account, signal: message.controller.signal, delivery, settings });
      if (closing) node.warn(text('warn.closed.done', { request: described(request), result: outcome.result() }));
      else node.status({ fill: 'green', shape: 'dot', text: shorten(outcome.status) });
      send(msg);
    }

    const described = (request: Request<unknown>): string => text(`describe.${request.describe.key}`, request.describe.params);

    node.on('input', (incoming: NodeMessageInFlow, send: Send, done: Done) => {
      // The type's own message fields are read (and checked) by its `read`.
      const msg = incoming as Msg;
      const message: InFlight = { controller: new AbortController(), sent: false, refused: false, request: undefined, settled: Promise.resolve() };
      message.settled = handle(msg, send, message)
        .then(() => done())
        .catch((error: unknown) => {
          const failure = readable(error);
          if (!closing) showError(failure);
          else if (message.request) node.warn(closedFailure(message, message.request, failure));
          endWithError(node, msg, failure, done, type.outputKeys, RED.util.cloneMessage);
        })
        .finally(() => inFlight.delete(message));
      inFlight.add(message);
    });

    /** The log line of a request that ended without its outcome while the node was being stopped. */
    function closedFailure(message: InFlight, request: Request<unknown>, failure: Error): string {
      const params = { request: described(request), error: failure.message };
      if (message.sent && request.changes) return text('warn.closed.failed', params);
      if (message.refused) return text('warn.closed.refused', params);
      return text('warn.closed.cancelled', params);
    }

    node.on('close', (_removed: boolean, done: () => void) => {
      closing = true;
      settleOnClose(inFlight, settings, () => {
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType(type.type, RequestNode, type.settings ? { settings: type.settings } : undefined);
}

/**
 * The input error `action` raises, if any: what a deploy-time check reports (with a placeholder in
 * place of what only a message supplies, such as a CallSid's token). Other errors are thrown.
 */
export function inputProblem(action: () => unknown): TelApiInputError | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof TelApiInputError) return error;
    throw error;
  }
}

/** The node's own properties named by `keys`; blank editor fields are left out, so they fall back to the defaults. */
function filledProperties(config: object, keys: readonly string[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const key of keys) {
    const value = (config as Record<string, unknown>)[key];
    if (value !== undefined && value !== null && value !== '') properties[key] = value;
  }
  return properties;
}

/**
 * On close: a request that changes something and that TelAPI may already have is waited for (its
 * outcome is logged); everything else is cancelled at once. What is still open just before Node-RED's
 * close timeout is cancelled too. `done` once every message has settled.
 */
function settleOnClose(inFlight: ReadonlySet<InFlight>, settings: Settings, done: () => void): void {
  for (const message of inFlight) if (!(message.sent && message.request?.changes === true)) message.controller.abort();
  const deadline = setTimeout(() => {
    for (const message of inFlight) message.controller.abort();
  }, Math.max(0, nodeCloseTimeoutMs(settings) - CLOSE_MARGIN_MS));
  void Promise.allSettled([...inFlight].map((message) => message.settled)).then(() => {
    clearTimeout(deadline);
    done();
  });
}

/** Error texts are cut after this many characters: TelAPI's error message may be up to an answer long. */
export const MAX_ERROR_TEXT_LENGTH = 1000;

/**
 * An error as the user reads it: in their language (the node type's catalog), with the account's
 * secrets masked, then cut to MAX_ERROR_TEXT_LENGTH (in that order, so a cut cannot leave half a
 * secret unmasked). An error thrown in a flow may carry anything as its message.
 */
export function readableError(RED: NodeAPI, type: string, error: unknown, account: TelApiAccountNode | null | undefined): Error {
  const localized = localizedError(RED, type, error);
  const message = typeof localized.message === 'string' ? localized.message : textOf(localized.message);
  localized.message = shorten(account ? account.redactor.text(message) : message, MAX_ERROR_TEXT_LENGTH);
  return localized;
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

/** A status text short enough for the badge under a node. */
export function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
