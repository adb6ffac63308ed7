import type { ApiContext } from './api-context';
import { ApiError } from './api-errors';
import type { CallRunner } from './call-runner';
import { sendJson } from './http-util';
import { isLiveStatus, type SimulatedCall } from './model';
import { parseMakeCallOptions } from './recording-params';
import { CALLBACK_METHODS, isAbsoluteHttpUrl } from './spec';
import type { Telephony } from './telephony';
import { callJson, listEnvelope, matchesCallFilter, parseCallFilter, parsePageRequest } from './wire';

/** `…/Calls.json` and `…/Calls/{CallSid}.json`: list, make, view and modify calls. */
export class CallRoutes {
  readonly #telephony: Telephony;
  readonly #runner: CallRunner;

  constructor(telephony: Telephony, runner: CallRunner) {
    this.#telephony = telephony;
    this.#runner = runner;
  }

  require(context: ApiContext, callSid: string | undefined): SimulatedCall {
    const call = callSid === undefined ? undefined : this.#telephony.call(callSid, context.accountSid);
    if (!call) throw new ApiError('callNotFound', `Call ${callSid ?? ''} was not found`);
    return call;
  }

  /** Newest first, filtered by `To`, `From`, `Status`, `StartTime>`, `StartTime<`. */
  list(context: ApiContext): void {
    const filter = parseCallFilter(context.params);
    const calls = this.#telephony.calls(context.accountSid).filter((call) => matchesCallFilter(call, filter));
    sendJson(context.response, 200, listEnvelope('calls', calls, parsePageRequest(context.params), context, (call) => callJson(call, context.version)));
  }

  /**
   * TelAPI's "make call": answered `queued` at once; then the call rings, is answered (or not, as
   * the number's behaviour says), requests `Url` and runs its InboundXML. Every parameter is
   * checked before anything happens.
   */
  make(context: ApiContext): void {
    const required = (name: string): string => {
      const value = context.params.get(name)?.trim();
      if (!value) throw new ApiError('missingParameter', `${name} is required`);
      return value;
    };
    const from = required('From');
    const to = required('To');
    const url = required('Url');
    if (!isAbsoluteHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    const options = parseMakeCallOptions(context.params);
    const callerName = context.params.get('CallerName')?.trim();
    const forwardedFrom = context.params.get('ForwardedFrom')?.trim();
    const call = this.#telephony.createCall(
      { accountSid: context.accountSid, from, to, url, direction: 'outbound-api', ...(callerName ? { callerName } : {}), ...(forwardedFrom ? { forwardedFrom } : {}) },
      context.version,
      'queued',
    );
    this.#runner.startOutbound(call, options);
    sendJson(context.response, 200, callJson(call, context.version));
  }

  get(context: ApiContext, callSid: string | undefined): void {
    sendJson(context.response, 200, callJson(this.require(context, callSid), context.version));
  }

  /**
   * TelAPI's "modify call": `Status=completed` or `canceled` hangs up (a call not yet answered ends
   * `canceled`); `Url` (with `Method`) sends a live call to new InboundXML.
   */
  modify(context: ApiContext, callSid: string | undefined): void {
    const call = this.require(context, callSid);
    const status = context.params.get('Status')?.trim().toLowerCase();
    const url = context.params.get('Url')?.trim();
    if (!status && !url) throw new ApiError('missingParameter', 'Status or Url is required');
    if (status && status !== 'completed' && status !== 'canceled') throw new ApiError('invalidParameter', 'Status must be completed or canceled');
    if (url && !isAbsoluteHttpUrl(url)) throw new ApiError('invalidParameter', 'Url must be an http or https URL');
    const method = context.params.get('Method')?.trim().toUpperCase() || 'POST';
    const knownMethod = CALLBACK_METHODS.find((candidate) => candidate === method);
    if (!knownMethod) throw new ApiError('invalidParameter', 'Method must be POST or GET');
    if (url) {
      this.#telephony.updateCallUrl(call.sid, context.accountSid, url);
      if (!status && isLiveStatus(call.status)) this.#runner.redirect(call.sid, url, knownMethod);
    }
    const updated = status ? this.#telephony.hangUp(call.sid, context.accountSid, 'api') : this.require(context, call.sid);
    sendJson(context.response, 200, callJson(updated, context.version));
  }
}
